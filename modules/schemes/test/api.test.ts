import { expect } from 'chai';
import supertest from 'supertest';
import { groupOf, makeCustomer, makePlan, schemesWorld, uniq, type SchemesWorld } from './schemes-fixtures';

function bearer(token: string) {
  return { Authorization: `Bearer ${token}`, Accept: 'application/json' };
}

describe('schemes JSON API @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: SchemesWorld;
  let supervisor: string;
  let agent: string;

  before(async () => {
    w = await schemesWorld();
    const make = async (permissions: string[]) => w.t.token((await w.t.createUser({ permissions, companyIds: [w.companyId] })).email);
    supervisor = await make(['schemes.bundle.manage', 'schemes.plan.read', 'crm.group.manage']);
    agent = await make(['schemes.bundle.read', 'schemes.plan.read', 'billing.payment.record']);
  });

  it('an agent gets 403 creating a bundle, a supervisor 201', async () => {
    const group = await groupOf(w, [await makeCustomer(w)]);
    const body = { name: uniq('Buy 4 weeks '), journal_id: w.journals.discount.id, trigger_days: 28, reward_days: 3, type: 'cash_discount', group_ids: [group], payment_journal_ids: [w.journals.mobile.id] };
    const denied = await supertest(w.t.app).post('/api/v1/schemes/bundles').set(bearer(agent)).send(body);
    expect(denied.status).to.equal(403);
    const made = await supertest(w.t.app).post('/api/v1/schemes/bundles').set(bearer(supervisor)).send(body);
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    expect(made.body).to.include({ trigger_days: 28, reward_days: 3, type: 'cash_discount', active: true });
    expect(made.body.group_ids).to.deep.equal([group]);
    const patched = await supertest(w.t.app).patch(`/api/v1/schemes/bundles/${made.body.id}`).set(bearer(supervisor)).send({ active: false });
    expect(patched.status).to.equal(200);
    expect(patched.body.active).to.equal(false);
    const agentPatch = await supertest(w.t.app).patch(`/api/v1/schemes/bundles/${made.body.id}`).set(bearer(agent)).send({ active: true });
    expect(agentPatch.status).to.equal(403);
    const list = await supertest(w.t.app).get('/api/v1/schemes/bundles').set(bearer(agent));
    expect(list.status).to.equal(200);
    expect(list.body.data.map((b: any) => b.id)).to.include(made.body.id);
  });

  it('bad bundle input is a 4xx naming the field', async () => {
    const res = await supertest(w.t.app).post('/api/v1/schemes/bundles').set(bearer(supervisor)).send({ name: uniq('x'), journal_id: w.journals.cash.id, trigger_days: 0, reward_days: 2, type: 'ontime_only', group_ids: 'all' });
    expect(res.status).to.be.within(400, 422);
    expect(JSON.stringify(res.body)).to.match(/trigger_days/);
  });

  it('plans over HTTP answer expiry, owed, carried credit, days bought and bonus days; events list the ledger', async () => {
    const admin = await w.t.token(w.admin.email);
    const c = await makeCustomer(w);
    const res = await supertest(w.t.app).post('/api/v1/schemes/pay-plans').set(bearer(admin)).send({ customer_id: c, product_code: 'KIT', total: 5000, deposit: 500, instalment_amount: 840, instalment_days: 21, start_date: '2026-12-01' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    for (const key of ['expiry', 'owed', 'carried_credit', 'days_bought', 'bonus_days']) expect(res.body).to.have.property(key);
    const pay = await supertest(w.t.app).post('/api/v1/billing/payments').set(bearer(admin)).send({ customer_id: c, journal_id: w.journals.mobile.id, amount: 420, method: 'mobile_money', reference: uniq('TX'), metadata: { pay_plan_id: res.body.id } });
    expect(pay.status, JSON.stringify(pay.body)).to.be.within(200, 201);
    const events = await supertest(w.t.app).get(`/api/v1/schemes/pay-plans/${res.body.id}/events`).set(bearer(admin));
    expect(events.status).to.equal(200);
    expect(events.body.data[0]).to.include({ kind: 'payment', amount: 420, days: 10 });
    const bad = await supertest(w.t.app).post('/api/v1/schemes/pay-plans').set(bearer(admin)).send({ customer_id: c, product_code: 'KIT', total: 'lots' });
    expect(bad.status).to.be.within(400, 422);
  });

  it('the preview says what a payment would do, over HTTP, for a bundle reader', async () => {
    const c = await makeCustomer(w);
    await makePlan(w, c);
    const res = await supertest(w.t.app).post('/api/v1/schemes/bundles/preview').set(bearer(agent)).send({ customer_id: c, amount: 840, journal_id: w.journals.mobile.id });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ days: 21, applied: 840 });
  });

  it('the OpenAPI document lists the schemes routes', async () => {
    const admin = await w.t.token(w.admin.email);
    const doc = await supertest(w.t.app).get('/api/v1/openapi.json').set(bearer(admin));
    const paths = Object.keys(doc.body.paths ?? {});
    for (const p of ['/api/v1/schemes/pay-plans', '/api/v1/schemes/pay-plans/{id}/events', '/api/v1/schemes/bundles', '/api/v1/schemes/bundles/preview']) expect(paths, p).to.include(p);
  });
});

describe('schemes role templates @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  it('installs Call center supervisor and Customer service manager holding schemes.bundle.manage, and Call center agent without it', async () => {
    const w = await schemesWorld();
    const roles = await w.t.knex('core_roles').whereNull('company_id').whereIn('name', ['Call center supervisor', 'Customer service manager', 'Call center agent']);
    expect(roles).to.have.length(3);
    const holds = async (name: string) => (await w.t.knex('core_role_permissions').where({ role_id: roles.find((r: any) => r.name === name).id }).pluck('permission')) as string[];
    expect(await holds('Call center supervisor')).to.include('schemes.bundle.manage');
    expect(await holds('Customer service manager')).to.include('schemes.bundle.manage');
    expect(await holds('Call center agent')).to.include('billing.payment.record').and.not.include('schemes.bundle.manage');
  });
});
