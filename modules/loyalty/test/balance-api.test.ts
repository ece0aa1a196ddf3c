import { expect } from 'chai';
import supertest from 'supertest';
import type { TestAgent } from 'tessera/testing';
import { balanceWorld, makeCustomer, order, recharge, uniq, type BalanceWorld } from './balance-fixtures';

function bearer(token: string) {
  return { Authorization: `Bearer ${token}`, Accept: 'application/json' };
}

describe('loyalty balance API and pages @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: BalanceWorld;
  let teller: string;
  let reader: string;
  let manager: string;
  let adminPages: TestAgent;

  before(async () => {
    w = await balanceWorld();
    const make = async (permissions: string[]) => w.t.token((await w.t.createUser({ permissions, companyIds: [w.companyId] })).email);
    teller = await make(['loyalty.balance.recharge']);
    reader = await make(['loyalty.balance.read']);
    manager = await make(['loyalty.offer.manage', 'loyalty.balance.read']);
    adminPages = await w.t.login(w.admin.email, w.admin.password);
  });

  it('a recharge over HTTP: 201, replayed with the same Idempotency-Key it is the same payment, credited once', async () => {
    const c = await makeCustomer(w);
    const key = uniq('K');
    const body = { customer_id: c, amount: 2000, journal_id: w.journals.cash.id, method: 'cash' };
    const first = await supertest(w.t.app).post('/api/v1/loyalty/recharges').set(bearer(teller)).set('Idempotency-Key', key).send(body);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const again = await supertest(w.t.app).post('/api/v1/loyalty/recharges').set(bearer(teller)).set('Idempotency-Key', key).send(body);
    expect(again.body.payment.id).to.equal(first.body.payment.id);
    const read = await supertest(w.t.app).get(`/api/v1/loyalty/customers/${c}/balance`).set(bearer(reader));
    expect(read.status).to.equal(200);
    expect(read.body).to.include({ balance: 2000, available: 2000, currency: 'EUR' });
    expect(read.body.ledger).to.have.length(1);
  });

  it('every route declares its permission: a reader cannot recharge, pay or adjust; a teller cannot adjust', async () => {
    const c = await makeCustomer(w);
    const rech = await supertest(w.t.app).post('/api/v1/loyalty/recharges').set(bearer(reader)).send({ customer_id: c, amount: 100, journal_id: w.journals.cash.id, method: 'cash', reference: uniq('R') });
    expect(rech.status).to.equal(403);
    const pay = await supertest(w.t.app).post('/api/v1/loyalty/balance-payments').set(bearer(reader)).send({ customer_id: c, order_id: 1, amount: 100, reference: uniq('B') });
    expect(pay.status).to.equal(403);
    const adj = await supertest(w.t.app).post(`/api/v1/loyalty/customers/${c}/balance/adjustments`).set(bearer(teller)).send({ amount: 100, reason: 'x' });
    expect(adj.status).to.equal(403);
  });

  it('bad input is a 4xx naming the field', async () => {
    const c = await makeCustomer(w);
    const neg = await supertest(w.t.app).post('/api/v1/loyalty/recharges').set(bearer(teller)).send({ customer_id: c, amount: -5, journal_id: w.journals.cash.id, method: 'cash', reference: uniq('R') });
    expect(neg.status).to.be.within(400, 422);
    expect(JSON.stringify(neg.body)).to.match(/amount/);
    const noRef = await supertest(w.t.app).post('/api/v1/loyalty/recharges').set(bearer(teller)).send({ customer_id: c, amount: 500, journal_id: w.journals.cash.id, method: 'cash' });
    expect(noRef.status).to.equal(422);
    expect(noRef.body.error.fields).to.have.property('reference');
  });

  it("another company's customer is invisible", async () => {
    const other = await balanceWorld({ t: w.t });
    const stranger = await makeCustomer(other);
    await recharge(other, stranger, 900);
    const read = await supertest(w.t.app).get(`/api/v1/loyalty/customers/${stranger}/balance`).set(bearer(reader));
    expect(read.status).to.equal(404);
    const rech = await supertest(w.t.app).post('/api/v1/loyalty/recharges').set(bearer(teller)).send({ customer_id: stranger, amount: 500, journal_id: w.journals.cash.id, method: 'cash', reference: uniq('R') });
    expect(rech.status).to.equal(422);
    expect(rech.body.error.fields).to.have.property('customer_id');
  });

  it('an order paid from the balance over HTTP; a second spend beyond the balance is a 409', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 3000);
    const o = await order(w, c, 5000);
    const ok = await supertest(w.t.app).post('/api/v1/loyalty/balance-payments').set(bearer(teller)).send({ customer_id: c, order_id: o.id, amount: 2500, reference: uniq('B') });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    expect(ok.body.balance.balance).to.equal(500);
    const tooMuch = await supertest(w.t.app).post('/api/v1/loyalty/balance-payments').set(bearer(teller)).send({ customer_id: c, order_id: o.id, amount: 501, reference: uniq('B') });
    expect(tooMuch.status).to.equal(409);
  });

  it('offers: GET/POST for the offer manager only, with the threshold and rate validated', async () => {
    const body = { name: uniq('Recharge 50 '), kind: 'recharge', rate_bps: 1000, threshold: 5000, payment_methods: ['mobile_money'] };
    expect((await supertest(w.t.app).post('/api/v1/loyalty/offers').set(bearer(teller)).send(body)).status).to.equal(403);
    const made = await supertest(w.t.app).post('/api/v1/loyalty/offers').set(bearer(manager)).send(body);
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const bad = await supertest(w.t.app).post('/api/v1/loyalty/offers').set(bearer(manager)).send({ ...body, name: uniq('x'), payment_methods: ['barter'] });
    expect(bad.status).to.be.within(400, 422);
    expect(JSON.stringify(bad.body)).to.match(/payment_methods/);
    const list = await supertest(w.t.app).get('/api/v1/loyalty/offers').set(bearer(reader));
    expect(list.status).to.equal(200);
    expect(list.body.data.map((o: any) => o.id)).to.include(made.body.id);
  });

  it('the customer page shows the balance panel with its running balance and, to an admin, the forms; a reader sees no form', async () => {
    const c = await makeCustomer(w);
    await recharge(w, c, 1234);
    await w.balance.adjust(w.ctx, c, -234, 'correction');
    const page = await adminPages.get(`/crm/customers/${c}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Prepaid balance').and.contain('loyalty-recharge-form').and.contain('loyalty-adjust-form').and.contain('data-balance="1000"');
    const user = await w.t.createUser({ permissions: ['loyalty.balance.read'], companyIds: [w.companyId] });
    const readerPages = await w.t.login(user.email, user.password);
    const seen = await readerPages.get(`/crm/customers/${c}`);
    expect(seen.status).to.equal(200);
    expect(seen.text).to.contain('Prepaid balance').and.not.contain('loyalty-recharge-form').and.not.contain('loyalty-adjust-form');
    expect((await readerPages.post(`/loyalty/customers/${c}/adjust`, { amount: '5', reason: 'x' })).status).to.equal(403);
  });

  it('the recharge form records a recharge; the reports page shows outstanding balances and the cashback chart', async () => {
    const c = await makeCustomer(w);
    const res = await adminPages.post(`/loyalty/customers/${c}/recharge`, { amount: '12.50', journal_id: String(w.journals.cash.id), method: 'cash', reference: uniq('F') });
    expect(res.status).to.equal(302);
    expect((await w.balance.summary(w.ctx, c)).balance).to.equal(1250);
    const offers = await adminPages.get('/loyalty/offers');
    expect(offers.status).to.equal(200);
    const form = await adminPages.get('/loyalty/offers/new');
    expect(form.status).to.equal(200);
    expect(form.text).to.contain('Threshold').and.contain('Cashback on completed orders');
    const reports = await adminPages.get('/loyalty/balance-reports');
    expect(reports.status).to.equal(200);
    expect(reports.text).to.contain('Balances outstanding').and.contain('/static/vendor/chart.umd.js').and.contain('loyalty-chart');
  });
});
