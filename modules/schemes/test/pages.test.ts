import { expect } from 'chai';
import { groupOf, makeBundle, makeCustomer, makePlan, pay, schemesWorld, uniq, type SchemesWorld } from './schemes-fixtures';
import type { TestAgent } from 'tessera/testing';

describe('schemes pages @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: SchemesWorld;
  let admin: TestAgent;
  before(async () => {
    w = await schemesWorld();
    admin = await w.t.login(w.admin.email, w.admin.password);
  });

  it('a supervisor creates a bundle from the form, with the trigger in weeks; errors name the field', async () => {
    const group = await groupOf(w, [await makeCustomer(w)]);
    const form = await admin.get('/crm/bundles/new');
    expect(form.status).to.equal(200);
    expect(form.text).to.contain('Trigger').and.contain('Ontime only bonus');
    const bad = await admin.post('/crm/bundles', { name: '', journal_id: w.journals.discount.id, trigger_count: 'x', reward_days: 3, type: 'ontime_only' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('must be a whole number of days or weeks');
    const name = uniq('Buy 4 weeks ');
    const made = await admin.post('/crm/bundles', { name, journal_id: w.journals.discount.id, trigger_count: 4, trigger_unit: 'weeks', reward_days: 3, type: 'cash_discount', group_ids: String(group), active: '1' });
    expect(made.status, made.text.slice(0, 500)).to.equal(302);
    const bundle = await w.t.knex('schemes_bundles').where({ company_id: w.companyId, name }).first();
    expect(bundle).to.include({ trigger_days: 28, reward_days: 3, type: 'cash_discount' });
    expect(JSON.parse(bundle.group_ids)).to.deep.equal([group]);
    const list = await admin.get('/crm/bundles');
    expect(list.text).to.contain(name);
  });

  it('an agent sees the bundles but no form to change them, and is refused a post', async () => {
    const user = await w.t.createUser({ permissions: ['schemes.bundle.read', 'schemes.plan.read', 'billing.payment.record'], companyIds: [w.companyId] });
    const agent = await w.t.login(user.email, user.password);
    const b = await makeBundle(w, [await groupOf(w, [await makeCustomer(w)])]);
    const page = await agent.get(`/crm/bundles/${b.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.not.contain('Create bundle').and.not.contain('>Save<');
    expect((await agent.post(`/crm/bundles/${b.id}`, { name: 'x' })).status).to.equal(403);
    expect((await agent.get('/crm/bundles/new')).status).to.equal(403);
  });

  it('the plan page shows days, bonus, ledger and schedule; the customer page lists the plans; the expiring list finds the plan', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    await makeBundle(w, [await groupOf(w, [c])]);
    const payment = await pay(w, c, 840);
    const onPayment = await admin.get(`/billing/payments/${payment.id}`);
    expect(onPayment.status).to.equal(200);
    expect(onPayment.text).to.contain('Pay plan').and.contain(`/schemes/plans/${plan.id}`).and.contain('Bonus');
    const page = await admin.get(`/schemes/plans/${plan.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.match(/data-test="days-bought">21</).and.match(/data-test="bonus-days">2</);
    expect(page.text).to.contain('Record payment').and.contain('expiry-chart');
    const customer = await admin.get(`/crm/customers/${c}`);
    expect(customer.text).to.contain(`/schemes/plans/${plan.id}`);
    const expiring = await admin.get('/schemes/expiring?days=30');
    expect(expiring.status).to.equal(200);
    expect(expiring.text).to.contain(`/schemes/plans/${plan.id}`);
    expect((await admin.get('/schemes/expiring?off=1')).status).to.equal(200);
  });

  it('records a payment from the plan page, once per transaction id', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    const reference = uniq('MP');
    const first = await admin.post(`/schemes/plans/${plan.id}/payments`, { amount: '4.20', journal_id: w.journals.mobile.id, reference });
    expect(first.status).to.equal(302);
    await admin.post(`/schemes/plans/${plan.id}/payments`, { amount: '4.20', journal_id: w.journals.mobile.id, reference });
    expect((await w.plans.get(w.ctx, plan.id)).days_bought).to.equal(10);
  });

  it('the preview page explains each bundle', async () => {
    const c = await makeCustomer(w);
    await makePlan(w, c);
    const b = await makeBundle(w, [await groupOf(w, [c])]);
    const page = await admin.get(`/crm/bundles/preview?customer_id=${c}&amount=8.40&journal_id=${w.journals.mobile.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('21 days').and.contain(b.name);
  });
});

describe('schemes: a payment for a customer with several plans @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  it('stays credit, its page asks which plan, and applying it there counts once', async () => {
    const w = await schemesWorld();
    const admin = await w.t.login(w.admin.email, w.admin.password);
    const c = await makeCustomer(w);
    await makePlan(w, c);
    const second = await makePlan(w, c);
    const payment = await pay(w, c, 840);
    const page = await admin.get(`/billing/payments/${payment.id}`);
    expect(page.text).to.contain('Which pay plan was this payment for?').and.contain(`Apply to plan #${second.id}`);
    const applied = await admin.post(`/schemes/payments/${payment.id}/apply`, { plan_id: second.id });
    expect(applied.status).to.equal(302);
    await admin.post(`/schemes/payments/${payment.id}/apply`, { plan_id: second.id });
    expect((await w.plans.get(w.ctx, second.id)).days_bought).to.equal(21);
    expect((await admin.get(`/billing/payments/${payment.id}`)).text).to.not.contain('Which pay plan');
  });
});
