import { expect } from 'chai';
import supertest from 'supertest';
import { bearer, crmWorld, e164, makeCustomer, uniq, uniqDigits, type CrmWorld } from './crm-fixtures';

/** A phone number belongs to one customer of a company; family sub-accounts may share their main customer's. */
describe('crm: one phone, one customer @integration', function () {
  this.timeout(60_000);
  let w: CrmWorld;
  let token: string;

  before(async () => {
    w = await crmWorld();
    token = await w.t.token(w.admin.email);
  });

  const phone = () => '06' + uniqDigits(8);
  const spaced = (p: string) => p.replace(/(\d\d)/g, '$1 ').trim();
  const api = (method: 'post' | 'patch' | 'get', path: string, body?: object) => {
    const req = supertest(w.t.app)[method](`/api/v1/crm${path}`).set(bearer(token));
    return body ? req.send(body) : req;
  };
  const importCsv = (csv: string, query: Record<string, unknown> = {}) =>
    supertest(w.t.app).post('/api/v1/crm/customers/import').query(query).set(bearer(token)).set('Content-Type', 'text/csv').send(csv).expect(200);

  it('refuses a second customer with the same phone, written another way, naming phone and its holder', async () => {
    const p = phone();
    const ann = await makeCustomer(w, { phone: p, first_name: 'Ann', last_name: 'Holder' });
    const res = await api('post', '/customers', { last_name: 'Other', shop_id: w.shops[0].id, phone: `+${spaced(p)}`.replace('+0', '0') }).expect(422);
    expect(res.body.error.fields).to.deep.equal({ phone: `is already the phone of customer ${ann.code} (Ann Holder)` });
  });

  it('lets family members share their main customer phone, and no one else', async () => {
    const p = phone();
    const main = await makeCustomer(w, { phone: p });
    const kid = await api('post', '/customers', { last_name: 'Kid', shop_id: w.shops[0].id, phone: p, parent_id: main.id }).expect(201);
    await api('post', '/customers', { last_name: 'Kid2', shop_id: w.shops[0].id, phone: spaced(p), parent_id: main.id }).expect(201);
    const otherMain = await makeCustomer(w, { phone: phone() });
    const stranger = await api('post', '/customers', { last_name: 'Stranger', shop_id: w.shops[0].id, phone: p, parent_id: otherMain.id }).expect(422);
    expect(stranger.body.error.fields).to.have.keys('phone');
    // Leaving the family, a member cannot keep the phone its main customer owns.
    const leave = await api('patch', `/customers/${kid.body.id}`, { parent_id: null }).expect(422);
    expect(leave.body.error.fields.phone).to.match(new RegExp(`is already the phone of customer ${main.code}`));
  });

  it('refuses a change to another customer phone, and lets the holder edit its other fields', async () => {
    const p = phone();
    const holder = await makeCustomer(w, { phone: p });
    const other = await makeCustomer(w, { phone: phone() });
    const res = await api('patch', `/customers/${other.id}`, { phone: p }).expect(422);
    expect(res.body.error.fields).to.have.keys('phone');
    await api('patch', `/customers/${holder.id}`, { first_name: 'Renamed', phone: spaced(p) }).expect(200);
  });

  it("when a main customer changes phone, the one member who shared the old one keeps it; two cannot", async () => {
    const old = phone();
    const main = await makeCustomer(w, { phone: old });
    const kid = await makeCustomer(w, { phone: old, parent_id: main.id });
    await api('patch', `/customers/${main.id}`, { phone: phone() }).expect(200);
    const taker = await api('post', '/customers', { last_name: 'Taker', shop_id: w.shops[0].id, phone: old }).expect(422);
    expect(taker.body.error.fields.phone).to.contain(kid.code);

    const shared = phone();
    const main2 = await makeCustomer(w, { phone: shared });
    const a = await makeCustomer(w, { phone: shared, parent_id: main2.id });
    const b = await makeCustomer(w, { phone: shared, parent_id: main2.id });
    const refused = await api('patch', `/customers/${main2.id}`, { phone: phone() }).expect(422);
    expect(refused.body.error.fields.phone).to.contain(a.code).and.to.contain(b.code);
    expect((await w.customers.get(w.ctx, main2.id)).phone).to.equal(e164(shared));
  });

  it('within one file: the first row with a phone is imported, the next is reported with its line, in the preview as in the import', async () => {
    const p = phone();
    const s = uniq('ph');
    const csv = [
      'first_name,last_name,email,phone,shop',
      `Ann,First,ann.${s}@x.org,${p},${w.shops[0].code}`,
      `Bob,Second,bob.${s}@x.org,${spaced(p)},${w.shops[0].code}`,
    ].join('\n');
    const expected = [{ line: 3, field: 'phone', reason: 'same phone as line 2; a phone belongs to one customer' }];
    const preview = await importCsv(csv, { dry_run: true });
    expect(preview.body).to.include({ created: 1, error_count: 1 });
    expect(preview.body.errors).to.deep.equal(expected);
    const run = await importCsv(csv);
    expect(run.body).to.include({ created: 1, error_count: 1 });
    expect(run.body.errors).to.deep.equal(expected);
    const holders = await w.t.knex('crm_customers').where({ company_id: w.companyId, phone_norm: e164(p).slice(1) });
    expect(holders.map((c: any) => c.last_name)).to.deep.equal(['First']);
    // Sent again, the file matches Ann, and Bob is still refused: now by the customer who owns the phone.
    const again = await importCsv(csv);
    expect(again.body).to.include({ created: 0, unchanged: 1, error_count: 1 });
    expect(again.body.errors[0]).to.deep.include({ line: 3, field: 'phone' });
  });

  it('imports a family sharing its main customer phone, and refuses a row taking a phone someone owns', async () => {
    const p = phone();
    const code = uniq('FAM').toUpperCase();
    const owner = await makeCustomer(w, { phone: phone(), first_name: 'Owner', last_name: 'Person' });
    const csv = [
      'code,last_name,phone,shop,parent_code',
      `${code},Main,${p},${w.shops[0].code},`,
      `${code}-K,Kid,${p},${w.shops[0].code},${code}`,
      `${code}-X,Thief,${owner.phone},${w.shops[0].code},`,
    ].join('\n');
    const expected = [{ line: 4, field: 'phone', reason: `is already the phone of customer ${owner.code} (Owner Person)` }];
    const preview = await importCsv(csv, { dry_run: true });
    expect(preview.body.errors).to.deep.equal(expected);
    const run = await importCsv(csv);
    expect(run.body).to.include({ created: 2, error_count: 1 });
    expect(run.body.errors).to.deep.equal(expected);
  });

  it('lists phones that several customers held before the rule, leaving out families', async () => {
    const p = phone();
    const first = await makeCustomer(w, { phone: p });
    const family = await makeCustomer(w, { phone: phone() });
    await makeCustomer(w, { phone: family.phone, parent_id: family.id });
    // A duplicate from before migration 006: it holds the phone without owning it.
    const now = new Date();
    const [dupId] = await w.t.knex('crm_customers').insert({
      company_id: w.companyId, shop_id: w.shops[1].id, code: uniq('OLD'), first_name: 'Old', last_name: 'Dup', phone: e164(p),
      name_norm: 'old dup', name_rev_norm: 'dup old', code_norm: uniq('old'), phone_norm: e164(p).slice(1), owned_phone_norm: null, created_at: now, updated_at: now,
    });
    // It can still be edited; only its phone cannot be given to it again.
    await api('patch', `/customers/${dupId}`, { first_name: 'Older' }).expect(200);

    const found: Array<{ phone: string; customers: Array<{ id: number }> }> = [];
    let after: string | undefined;
    do {
      const res = await api('get', '/customers/duplicate-phones').query({ limit: 2, ...(after ? { after } : {}) }).expect(200);
      found.push(...res.body.data);
      after = res.body.next_cursor ?? undefined;
    } while (after);
    const group = found.find((g) => g.phone === e164(p).slice(1));
    expect(group?.customers.map((c) => c.id)).to.deep.equal([first.id, Number(dupId)]);
    expect(found.map((g) => g.phone)).to.not.include(normalize(family.phone));
    const bad = await api('get', '/customers/duplicate-phones').query({ after: 'x' }).expect(422);
    expect(bad.body.error.fields).to.have.keys('after');
  });
});

function normalize(phone: string | null): string {
  return String(phone).replace(/\D+/g, '');
}
