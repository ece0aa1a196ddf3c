import { expect } from 'chai';
import { crmWorld, e164, uniq, uniqDigits, type CrmWorld } from './crm-fixtures';

/**
 * The same file sent twice at the same moment, as two HTTP requests to a listening server: on MariaDB
 * they run on two connections at once. Each customer must exist once, and each report must be true.
 */
describe('crm: two imports of one file at once @integration', function () {
  this.timeout(180_000);
  const ROWS = 2000;
  let w: CrmWorld;
  let url: string;
  let token: string;

  before(async () => {
    w = await crmWorld();
    url = await w.t.listen();
    token = await w.t.token(w.admin.email);
  });

  const post = async (csv: string) => {
    const res = await fetch(`${url}/api/v1/crm/customers/import`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv', Accept: 'application/json' }, body: csv });
    const body = await res.json();
    expect(res.status, JSON.stringify(body).slice(0, 500)).to.equal(200);
    return body as { status: string; rows_total: number; created: number; updated: number; unchanged: number; error_count: number; errors: unknown[] };
  };
  const countWhere = async (column: string, values: string[]) => {
    let n = 0;
    for (let i = 0; i < values.length; i += 500) {
      const row = await w.t.knex('crm_customers').where({ company_id: w.companyId }).whereIn(column, values.slice(i, i + 500)).count({ n: '*' }).first();
      n += Number(row!.n);
    }
    return n;
  };

  async function importTwiceAtOnce(csv: string) {
    const [a, b] = await Promise.all([post(csv), post(csv)]);
    for (const report of [a, b]) {
      expect(report.errors, 'no row of either import is refused').to.deep.equal([]);
      expect(report).to.include({ status: 'done', rows_total: ROWS, error_count: 0, updated: 0 });
      expect(report.created + report.unchanged).to.equal(ROWS);
    }
    expect(a.created + b.created, 'each customer is created by one of them').to.equal(ROWS);
    return [a, b];
  }

  it('keyed by e-mail: every customer once, the other import reports them unchanged', async () => {
    const p = uniq('e');
    const emails = Array.from({ length: ROWS }, (_, i) => `${p}.${i}@example.org`);
    const csv = ['first_name,last_name,email,shop', ...emails.map((e, i) => `F${i},L${i},${e},${w.shops[i % 2].code}`)].join('\n');
    await importTwiceAtOnce(csv);
    expect(await countWhere('email_norm', emails)).to.equal(ROWS);
  });

  it('keyed by phone: every customer once', async () => {
    // French mobile numbers, 07 and 8 digits: a number too long to exist is refused.
    const base = Number(uniqDigits(4)) * 10_000;
    const phones = Array.from({ length: ROWS }, (_, i) => `07${base + i}`);
    const csv = ['first_name,last_name,phone,shop', ...phones.map((ph, i) => `F${i},L${i},${ph},${w.shops[i % 2].code}`)].join('\n');
    await importTwiceAtOnce(csv);
    expect(await countWhere('phone_norm', phones.map((p) => e164(p).slice(1)))).to.equal(ROWS);
  });

  it('keyed by code, without an e-mail column: no row is refused, least of all for an e-mail', async () => {
    const p = uniq('K').toUpperCase();
    const codes = Array.from({ length: ROWS }, (_, i) => `${p}-${i}`);
    const csv = ['code,first_name,last_name,shop', ...codes.map((c, i) => `${c},F${i},L${i},${w.shops[i % 2].code}`)].join('\n');
    await importTwiceAtOnce(csv);
    expect(await countWhere('code_norm', codes.map((c) => c.toLowerCase()))).to.equal(ROWS);
  });

  it('plans each batch after taking the lock: a customer another user created while it waited is matched, not made again', async function () {
    // SQLite has one writer: an import cannot wait on the lock while another user writes.
    if (!String(w.t.knex.client.config.client).startsWith('mysql')) this.skip();
    const p = uniq('w');
    const emails = [1, 2, 3].map((i) => `${p}.${i}@example.org`);
    const csv = ['first_name,last_name,email,shop', ...emails.map((e, i) => `F${i},L${i},${e},${w.shops[0].code}`)].join('\n');
    await w.t.knex('crm_import_locks').insert({ company_id: w.companyId, taken_at: null }).onConflict('company_id').ignore();
    const holder = await w.t.knex.transaction();
    let importing: ReturnType<typeof post> | undefined;
    try {
      await holder('crm_import_locks').where({ company_id: w.companyId }).update({ taken_at: new Date() });
      importing = post(csv);
      importing.catch(() => undefined);
      // Wait until the import's batch is blocked on the lock, then write as another user would.
      for (let waited = 0; ; waited += 50) {
        const [rows] = await w.t.knex.raw("SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE INFO LIKE 'update `crm_import_locks`%'");
        if (Number(rows[0].n) > 0) break;
        if (waited > 20_000) throw new Error('the import never waited on the lock');
        await new Promise((r) => setTimeout(r, 50));
      }
      const created = await fetch(`${url}/api/v1/crm/customers`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ first_name: 'F1', last_name: 'L1', email: emails[1], shop_id: w.shops[0].id }) });
      expect(created.status).to.equal(201);
    } finally {
      await holder.commit();
    }
    const report = await importing!;
    expect(report).to.include({ created: 2, unchanged: 1, error_count: 0 });
    expect(await countWhere('email_norm', emails)).to.equal(3);
  });
});
