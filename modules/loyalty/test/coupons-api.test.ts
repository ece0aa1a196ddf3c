import { expect } from 'chai';
import supertest from 'supertest';
import { login, type TestAgent } from 'tessera/testing';
import { CODE_ALPHABET } from '../coupons/coupon-codes';
import { couponWorld, draftInvoice, groupOf, makeCoupon, makeCustomer, uniq, type CouponWorld } from './coupons-fixtures';

/** The coupons' JSON API and pages: create, apply, batches with CSV export, the report, the panels. */
describe('loyalty coupons API and pages @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let w: CouponWorld;
  let auth: Record<string, string>;
  let agent: TestAgent;
  const api = () => supertest(w.t.app);

  before(async () => {
    w = await couponWorld();
    auth = { Authorization: `Bearer ${await w.t.token(w.admin.email)}`, Accept: 'application/json' };
    agent = await login(w.t.app, w.admin.email, w.admin.password);
  });

  it('POST /coupons creates a percent coupon for a group; GET lists it; a bad body names the field', async () => {
    const member = await makeCustomer(w);
    const group = await groupOf(w, [member]);
    const code = uniq('SUMMER').toUpperCase();
    const created = await api().post('/api/v1/loyalty/coupons').set(auth).send({ name: 'Summer 10 %', code, kind: 'percent', percent: 1000, min_order: 2000, group_ids: [group], discount_product_code: 'disc' }).expect(201);
    expect(created.body).to.include({ code, kind: 'percent', percent: 1000, amount: null, uses: 0, discount_product_code: 'DISC' });
    const list = await api().get(`/api/v1/loyalty/coupons?q=${code}`).set(auth).expect(200);
    expect(list.body.data.map((c: any) => c.id)).to.deep.equal([created.body.id]);
    const bad = await api().post('/api/v1/loyalty/coupons').set(auth).send({ name: 'x', code: uniq('X'), kind: 'percent', percent: 20000, discount_product_code: 'DISC' }).expect(422);
    expect(bad.body.error.fields).to.have.property('percent');
  });

  it('POST /coupons/apply: 201 with the discount, 200 `created: false` the second time, refusals with code and field', async () => {
    const c = await makeCustomer(w);
    const coupon = await makeCoupon(w, { kind: 'percent', percent: 1500, amount: undefined, min_order: 1000 });
    const doc = await draftInvoice(w, c, 3333);
    const first = await api().post('/api/v1/loyalty/coupons/apply').set(auth).send({ code: coupon.code, invoice_id: doc.id }).expect(201);
    expect(first.body).to.include({ amount: 500, created: true }); // 15 % of 3333 = 499.95 → 500
    const again = await api().post('/api/v1/loyalty/coupons/apply').set(auth).send({ code: coupon.code, invoice_id: doc.id }).expect(200);
    expect(again.body).to.include({ id: first.body.id, created: false });
    const small = await draftInvoice(w, c, 999);
    const below = await api().post('/api/v1/loyalty/coupons/apply').set(auth).send({ code: coupon.code, invoice_id: small.id }).expect(422);
    expect(below.body.error.code).to.equal('coupon_below_minimum');
    expect(below.body.error.fields).to.have.property('invoice_id');
    const both = await api().post('/api/v1/loyalty/coupons/apply').set(auth).send({ code: coupon.code, invoice_id: doc.id, order_id: doc.id }).expect(422);
    expect(both.body.error.fields).to.have.property('order_id');
    const wrongKind = await api().post('/api/v1/loyalty/coupons/apply').set(auth).send({ code: coupon.code, order_id: small.id }).expect(404);
    expect(wrongKind.body.error.fields).to.have.property('order_id');
  });

  it('only loyalty.coupon.apply may apply, and only loyalty.coupon.manage may create', async () => {
    const clerk = await w.t.createUser({ permissions: ['billing.document.read'], companyIds: [w.companyId] });
    const token = { Authorization: `Bearer ${await w.t.token(clerk.email)}`, Accept: 'application/json' };
    await api().post('/api/v1/loyalty/coupons/apply').set(token).send({ code: 'X', invoice_id: 1 }).expect(403);
    const cashier = await w.t.createUser({ permissions: ['loyalty.coupon.apply', 'billing.document.read', 'billing.invoice.write'], companyIds: [w.companyId] });
    const cashierToken = { Authorization: `Bearer ${await w.t.token(cashier.email)}`, Accept: 'application/json' };
    await api().post('/api/v1/loyalty/coupons').set(cashierToken).send({ name: 'x', code: uniq('X'), amount: 1, discount_product_code: 'DISC' }).expect(403);
    const coupon = await makeCoupon(w, { amount: 100 });
    await api().post('/api/v1/loyalty/coupons/apply').set(cashierToken).send({ code: coupon.code, invoice_id: (await draftInvoice(w, await makeCustomer(w))).id }).expect(201);
  });

  it('a batch of 300 single-use codes: unique, 12 symbols of the unambiguous alphabet, exported as CSV', async () => {
    const coupon = await makeCoupon(w, { mode: 'single', amount: 200 });
    const batch = await api().post(`/api/v1/loyalty/coupons/${coupon.id}/batches`).set(auth).send({ count: 300, prefix: 'xm' }).expect(201);
    expect(batch.body).to.include({ requested: 300, generated: 300, status: 'completed', progress: 100 });
    const csv = await api().get(`/api/v1/loyalty/coupons/${coupon.id}/codes`).set(auth).expect(200);
    expect(csv.headers['content-type']).to.contain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).to.equal('code,coupon,status,redeemed_at,customer_id,document_id');
    const codes = lines.slice(1).map((l) => l.split(',')[0]);
    expect(codes).to.have.length(300);
    expect(new Set(codes).size).to.equal(300);
    const symbol = `[${CODE_ALPHABET}]`;
    for (const code of codes) expect(code).to.match(new RegExp(`^XM-${symbol}{4}-${symbol}{4}-${symbol}{4}$`));
    // A generated code redeems once.
    const r = await api().post('/api/v1/loyalty/coupons/apply').set(auth).send({ code: codes[7], invoice_id: (await draftInvoice(w, await makeCustomer(w))).id }).expect(201);
    expect(r.body.amount).to.equal(200);
    const again = await api().post('/api/v1/loyalty/coupons/apply').set(auth).send({ code: codes[7], invoice_id: (await draftInvoice(w, await makeCustomer(w))).id }).expect(409);
    expect(again.body.error.code).to.equal('coupon_already_redeemed');
    const other = await couponWorld({ t: w.t });
    const otherAuth = { Authorization: `Bearer ${await w.t.token(other.admin.email)}`, Accept: 'application/json' };
    await api().get(`/api/v1/loyalty/coupons/${coupon.id}/codes`).set(otherAuth).expect(404);
    await api().get(`/api/v1/loyalty/coupons/${coupon.id}`).set(otherAuth).expect(404);
    const shared = await makeCoupon(w);
    expect((await api().post(`/api/v1/loyalty/coupons/${shared.id}/batches`).set(auth).send({ count: 5 }).expect(422)).body.error.fields).to.have.property('coupon_id');
  });

  it('the CSV export defuses a coupon name that looks like a formula', async () => {
    const coupon = await makeCoupon(w, { mode: 'single', name: '=HYPERLINK("http://evil")' });
    await api().post(`/api/v1/loyalty/coupons/${coupon.id}/batches`).set(auth).send({ count: 2 }).expect(201);
    const csv = await agent.get(`/loyalty/coupons/${coupon.id}/codes.csv`).expect(200);
    const row = csv.text.split('\r\n')[1];
    expect(row.split(',')[1]).to.equal(`"'=HYPERLINK(""http://evil"")"`);
  });

  it('a batch above 1,000 codes goes to a job: 202, then progress reaches 100 with every code made', async () => {
    const coupon = await makeCoupon(w, { mode: 'single' });
    const started = await api().post(`/api/v1/loyalty/coupons/${coupon.id}/batches`).set(auth).send({ count: 2500 }).expect(202);
    expect(started.body).to.include({ status: 'running', generated: 0 });
    await agent.get(`/loyalty/coupons/batches/${started.body.id}`).expect(200).expect(/2500 codes requested/).expect(/data-job-url="\/api\/v1\/loyalty\/coupons\/batches\//);
    await w.t.drainJobs(60_000);
    const done = await api().get(`/api/v1/loyalty/coupons/batches/${started.body.id}`).set(auth).expect(200);
    expect(done.body).to.include({ generated: 2500, progress: 100, status: 'completed' });
    const n = await w.t.knex('loyalty_coupon_codes').where({ coupon_id: coupon.id }).countDistinct({ n: 'code' }).first();
    expect(Number((n as any).n)).to.equal(2500);
  });

  it('the coupon-use report counts uses and discount per day and per coupon; its page has the chart', async () => {
    const coupon = await makeCoupon(w, { name: uniq('Report '), amount: 123 });
    for (let i = 0; i < 3; i++) await w.redemptions.apply(w.ctx, { code: coupon.code, documentId: (await draftInvoice(w, await makeCustomer(w))).id });
    const report = await api().get('/api/v1/loyalty/coupons/report').set(auth).expect(200);
    expect(report.body.coupons.find((c: any) => c.coupon_id === coupon.id)).to.include({ uses: 3, discount: 369 });
    expect(report.body.total.uses).to.be.at.least(3);
    const page = await agent.get('/loyalty/reports/coupons').expect(200);
    expect(page.text).to.contain('data-chart=').and.contain('coupon-uses-chart').and.contain(coupon.name);
    await api().get('/api/v1/loyalty/coupons/report?from=2026-02-01&to=2026-01-01').set(auth).expect(422);
  });

  it('pages: coupons list and form, the coupon panel, the customer panel of coupons used, the apply form on a draft invoice', async () => {
    const c = await makeCustomer(w);
    const coupon = await makeCoupon(w, { name: uniq('Paged '), amount: 450 });
    await agent.get('/loyalty/coupons').expect(200).expect(new RegExp(coupon.name));
    await agent.get('/loyalty/coupons/new').expect(200).expect(/discount_product_code/);
    const doc = await draftInvoice(w, c, 5000);
    const invoicePage = await agent.get(`/billing/invoices/${doc.id}`).expect(200);
    expect(invoicePage.text).to.contain('action="/loyalty/coupons/apply"');
    await agent.post('/loyalty/coupons/apply', { document_id: doc.id, kind: 'invoice', code: coupon.code }).expect(302);
    expect((await w.documents.get(w.ctx, doc.id)).total).to.equal(4550);
    await agent.post('/loyalty/coupons/apply', { document_id: doc.id, kind: 'invoice', code: 'NO-SUCH' }).expect(302);
    const customerPage = await agent.get(`/crm/customers/${c}`).expect(200);
    expect(customerPage.text).to.contain('Coupons used').and.contain(coupon.name);
    const couponPage = await agent.get(`/loyalty/coupons/${coupon.id}`).expect(200);
    expect(couponPage.text).to.contain('Latest redemptions').and.contain(`#${doc.id}`);
    const single = await makeCoupon(w, { mode: 'single' });
    await agent.get(`/loyalty/coupons/${single.id}/generate`).expect(200).expect(/How many/);
    await agent.post(`/loyalty/coupons/${single.id}/generate`, { count: 20 }).expect(302);
    expect(await w.coupons.get(w.ctx, single.id)).to.include({ codes_count: 20 });
  });

  it('the coupon form takes a percent as typed (12.5 → 1250 bp), money in major units and the groups as a JSON list', async () => {
    const group = await groupOf(w, [await makeCustomer(w)]);
    const code = uniq('FORM').toUpperCase();
    const posted = await agent.post('/loyalty/coupons', { name: 'Typed in the form', mode: 'shared', code, kind: 'percent', percent: '12.5', amount: '', min_order: '20.00', discount_product_code: 'disc', group_ids: `[${group}]`, valid_from: '', valid_to: '', usage_limit: '', per_customer_limit: '', active: '1' });
    expect(posted.status, posted.text.slice(0, 300)).to.equal(302);
    const row = await w.t.knex('loyalty_coupons').where({ company_id: w.companyId, code }).first();
    expect(row).to.include({ kind: 'percent', percent: 1250, amount: null, discount_product_code: 'DISC' });
    expect(Number(row.min_order)).to.equal(2000);
    expect(JSON.parse(row.group_ids)).to.deep.equal([group]);
    const bad = await agent.post('/loyalty/coupons', { name: 'No percent', mode: 'shared', code: uniq('F'), kind: 'percent', percent: '', discount_product_code: 'DISC', active: '1' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('is required for a percent coupon');
  });
});
