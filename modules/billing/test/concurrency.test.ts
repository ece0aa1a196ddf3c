import { expect } from 'chai';
import { billingWorld, ledgerCheck, makeCustomer, postedInvoice, type BillingWorld } from './billing-fixtures';

/** Runs `tasks` with `clients` of them in flight at once. */
async function pool<T>(clients: number, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }));
  return results;
}

const PAYMENTS = Number(process.env.BILLING_CONCURRENT_PAYMENTS ?? (process.env.DATABASE_URL ? 2000 : 400));

describe('billing under concurrent clients @integration @slow', function () {
  this.timeout(600_000);
  let w: BillingWorld;
  let url: string;
  let auth: Record<string, string>;

  before(async () => {
    w = await billingWorld();
    url = await w.t.listen();
    auth = { Authorization: `Bearer ${await w.t.token(w.admin.email)}`, 'Content-Type': 'application/json', Accept: 'application/json' };
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}/api/v1/billing${path}`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it(`8 clients post ${PAYMENTS} payments with 10% re-submitted: no duplicate, none lost, residuals ≥ 0, balances equal ledgers`, async () => {
    const customers: number[] = [];
    for (let i = 0; i < 40; i++) customers.push(await makeCustomer(w));
    for (const c of customers) for (let k = 0; k < 3; k++) await postedInvoice(w, c, 5_000 + 1000 * k);
    const unique = Array.from({ length: Math.round(PAYMENTS / 1.1) }, (_, i) => ({
      customer_id: customers[i % customers.length],
      journal_id: i % 2 ? w.journals.cash.id : w.journals.mobile.id,
      amount: 100 + ((i * 7919) % 900),
      method: i % 2 ? 'cash' : 'mobile_money',
      reference: `C-${i}`,
    }));
    const resubmitted = unique.filter((_, i) => i % 10 === 3);
    const all = [...unique, ...resubmitted].slice(0, PAYMENTS);
    // Interleave re-submissions with the originals so they race them.
    all.sort((a, b) => Number(a.reference.slice(2)) - Number(b.reference.slice(2)));
    const results = await pool(8, all.map((p) => () => post('/payments', p)));
    const failures = results.filter((r) => r.status !== 200 && r.status !== 201);
    expect(failures, JSON.stringify(failures.slice(0, 3))).to.deep.equal([]);
    expect(results.filter((r) => r.status === 201)).to.have.length(unique.length);
    expect(new Set(results.map((r) => r.body.id)).size).to.equal(unique.length);

    const stored = await w.t.knex('billing_payments').where({ company_id: w.companyId }).whereIn('reference', unique.map((p) => p.reference));
    expect(stored).to.have.length(unique.length);
    const paid = new Map<number, number>();
    for (const p of unique) paid.set(p.customer_id, (paid.get(p.customer_id) ?? 0) + p.amount);
    const negative = await w.t.knex('billing_documents').where({ company_id: w.companyId }).where('residual', '<', 0).count({ n: '*' }).first();
    expect(Number(negative?.n)).to.equal(0);
    for (const c of customers) {
      const check = await ledgerCheck(w, c);
      expect(check.balance, `customer ${c}`).to.equal(check.ledger);
      expect(check.ledger).to.equal(5_000 + 6_000 + 7_000 - paid.get(c)!);
      const open = await w.t.knex('billing_documents').where({ company_id: w.companyId, customer_id: c, kind: 'invoice' }).sum({ r: 'residual' }).first();
      const unallocated = await w.t.knex('billing_payments').where({ company_id: w.companyId, customer_id: c }).sum({ u: 'unallocated' }).first();
      // What is owed on invoices minus credit held is the balance, and credit is the unallocated money.
      expect(Number(open?.r) - Number(unallocated?.u)).to.equal(check.ledger);
      expect(check.credit).to.equal(Number(unallocated?.u));
    }
  });

  it('8 clients posting invoices in one journal get gap-free numbers', async () => {
    const customer = await makeCustomer(w);
    const drafts = [];
    for (let i = 0; i < 80; i++) drafts.push(await w.documents.createInvoice(w.ctx, { customerId: customer, journalId: w.journals.cash.id, lines: [{ productCode: 'FREE', quantity: 1 }] }));
    const results = await pool(8, drafts.map((d) => () => post(`/invoices/${d.id}/post`, {})));
    expect(results.every((r) => r.status === 200)).to.equal(true);
    const numbers = results.map((r) => Number(String(r.body.number).split('/').pop())).sort((a, b) => a - b);
    expect(numbers).to.deep.equal(Array.from({ length: 80 }, (_, i) => numbers[0] + i));
  });

  it('two writers adding lines to one draft, each after reading in its own transaction, leave the total of every line', async function () {
    // SQLite runs one transaction at a time (one connection): two open at once is MariaDB's case.
    if (!process.env.DATABASE_URL) return this.skip();
    const customer = await makeCustomer(w);
    const draft = await w.documents.createInvoice(w.ctx, { customerId: customer, lines: [{ productCode: 'FREE', quantity: 1, unitPrice: 1000 }] });
    let arrived = 0;
    let release!: () => void;
    const together = new Promise<void>((resolve) => (release = resolve));
    // Each writer reads first (on MariaDB its snapshot starts there), waits for the other, then adds a line.
    const writer = (price: number) =>
      w.ctx.db.transaction(async (db) => {
        await w.documents.get(db, draft.id);
        if (++arrived === 2) release();
        await together;
        await w.documents.addLine(db, draft.id, { productCode: 'FREE', quantity: 1, unitPrice: price });
      });
    await Promise.all([writer(-300), writer(-200)]);
    const after = await w.documents.get(w.ctx, draft.id);
    expect(after.lines!.map((l) => l.amount).sort((a, b) => a - b)).to.deep.equal([-300, -200, 1000]);
    expect(after.total).to.equal(500);
  });
});

