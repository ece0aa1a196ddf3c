import { expect } from 'chai';
import type { TestAgent } from 'tessera/testing';
import { enrol, goldCustomer, goldWorld, lastCode, makeScheme, payOn, type GoldWorld } from './gold-fixtures';
import { GOLD_ROLE_TEMPLATES } from '../migrations/005_gold_roles';

/** This month on the company's calendar (UTC here), where the scheme's 1st–10th window is judged. */
function thisMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

describe('gold scheme pages @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: GoldWorld;
  let admin: TestAgent;
  let cashier: TestAgent;
  let scheme: any;

  before(async () => {
    w = await goldWorld();
    admin = await w.t.login(w.admin.email, w.admin.password);
    const user = await w.t.createUser({ permissions: ['schemes.plan.read', 'schemes.plan.enrol', 'schemes.plan.pay'], companyIds: [w.companyId] });
    cashier = await w.t.login(user.email, user.password);
    scheme = await makeScheme(w, { reward_kind: 'fixed', reward_instalments: 1 });
  });

  async function enrolled(customer: number): Promise<number> {
    const made = await admin.post('/schemes/gold-plans', { customer_id: customer, choice: `${scheme.id}:T1`, start_month: thisMonth() });
    expect(made.status, made.text.slice(0, 400)).to.equal(302);
    return Number(/\/schemes\/gold-plans\/(\d+)$/.exec(made.headers.location)?.[1]);
  }

  it('enrols from the form the customer page links to; a missing tier or a bad month is named beside its field', async () => {
    const c = await goldCustomer(w);
    const customerPage = await admin.get(`/crm/customers/${c}`);
    expect(customerPage.text).to.contain('Gold plans').and.contain(`/schemes/gold-plans/new?customer_id=${c}`);
    const form = await admin.get(`/schemes/gold-plans/new?customer_id=${c}`);
    expect(form.status).to.equal(200);
    expect(form.text).to.contain('Lakshmi').and.contain(`value="${scheme.id}:T2"`);
    const bad = await admin.post('/schemes/gold-plans', { customer_id: c, choice: '', start_month: '2026-13' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('choose a scheme and tier').and.contain('must be a month YYYY-MM');
    const wrongTier = await admin.post('/schemes/gold-plans', { customer_id: c, choice: `${scheme.id}:T9`, start_month: thisMonth() });
    expect(wrongTier.status).to.equal(422);
    expect(wrongTier.text).to.match(/field-choice-error/);
    const id = await enrolled(c);
    expect((await w.gold.get(w.ctx, id))).to.include({ customer_id: c, tier: 'T1', instalment: 1000 });
    const after = await admin.get(`/crm/customers/${c}`);
    expect(after.text).to.contain(`/schemes/gold-plans/${id}`).and.contain(scheme.name);
    const list = await admin.get(`/schemes/gold-plans?customer_id=${c}&status=active`);
    expect(list.status).to.equal(200);
    expect(list.text).to.contain(`/schemes/gold-plans/${id}`);
  });

  it('records an offline payment once per reference; it shows on the ledger with its balance and in the CSV; errors beside the fields', async () => {
    const c = await goldCustomer(w);
    const id = await enrolled(c);
    const bad = await admin.post(`/schemes/gold-plans/${id}/payments`, { amount: 'ten', mode: 'cash', reference: '' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('must be a positive amount').and.contain('required: the receipt');
    const reference = `CASH-${id}-1`;
    const paid = await admin.post(`/schemes/gold-plans/${id}/payments`, { amount: '10.00', mode: 'cash', reference });
    expect(paid.status).to.equal(302);
    const again = await admin.post(`/schemes/gold-plans/${id}/payments`, { amount: '10.00', mode: 'cash', reference });
    expect(again.status).to.equal(302);
    expect((await w.gold.payments(w.ctx, id)).filter((p) => p.status === 'paid')).to.have.length(1);
    // A fixed plan refuses a second instalment this month: the reason is shown, nothing recorded.
    const second = await admin.post(`/schemes/gold-plans/${id}/payments`, { amount: '10.00', mode: 'cash', reference: `CASH-${id}-2` });
    expect(second.status).to.equal(422);
    const page = await admin.get(`/schemes/gold-plans/${id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(reference).and.match(/data-test="paid-total">[^<]*10\.00/).and.match(/data-status="paid"/);
    const csv = await admin.get(`/schemes/gold-plans/${id}/ledger.csv`);
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.match(/text\/csv/);
    expect(csv.text.split('\n')[1]).to.contain(reference).and.contain(',1000,').and.match(/,1000,[^,]*$/);
    const pdf = await admin.get(`/schemes/gold-plans/${id}/ledger.pdf`);
    expect(pdf.headers['content-type']).to.match(/application\/pdf/);
  });

  it('change tier shows the effect first and changes only when confirmed', async () => {
    const id = await enrolled(await goldCustomer(w));
    const preview = await admin.post(`/schemes/gold-plans/${id}/change-tier`, { tier: 'T2' });
    expect(preview.status).to.equal(200);
    expect(preview.text).to.contain('data-test="tier-preview"').and.contain('Confirm change to T2');
    expect((await w.gold.get(w.ctx, id)).tier).to.equal('T1');
    const done = await admin.post(`/schemes/gold-plans/${id}/change-tier`, { tier: 'T2', confirm: '1' });
    expect(done.status).to.equal(302);
    expect((await w.gold.get(w.ctx, id)).tier).to.equal('T2');
  });

  it('pauses from the page: a bad number of months is named beside the field; maturity moves by the months paused', async () => {
    const id = await enrolled(await goldCustomer(w));
    const before = (await w.gold.get(w.ctx, id)).maturity_date;
    const bad = await admin.post(`/schemes/gold-plans/${id}/pause`, { months: '0' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.match(/field-months-error/).and.contain('from 1 to 12');
    expect((await admin.post(`/schemes/gold-plans/${id}/pause`, { months: '2' })).status).to.equal(302);
    const after = await w.gold.get(w.ctx, id);
    expect(after.maturity_date > before).to.equal(true);
    const page = await admin.get(`/schemes/gold-plans/${id}`);
    expect(page.text).to.match(/data-status="paused"/);
    // Redeeming waits for maturity: no redeem form on a plan that is not matured.
    expect(page.text).to.not.contain('Redeem as customer credit');
  });

  it('a matured plan shows the redeem form; redeeming hands the value to billing and the plan is redeemed', async () => {
    // A two-month plan that started two months ago matured on the 1st of this month (UTC company).
    const month = (back: number) => {
      const d = new Date();
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
    };
    const short = await makeScheme(w, { duration_months: 2, reward_kind: 'fixed', reward_instalments: 1, redemption_days: 90 });
    const plan = await enrol(w, short.id, await goldCustomer(w), month(2));
    for (const m of [month(2), month(1)]) await payOn(w, plan.id, `${m}-04`, 1000);
    const page = await admin.get(`/schemes/gold-plans/${plan.id}`);
    expect(page.text).to.contain('Redeem as customer credit').and.not.contain('data-test="pay-form"');
    expect((await cashier.get(`/schemes/gold-plans/${plan.id}`)).text).to.not.contain('Redeem as customer credit');
    expect((await cashier.post(`/schemes/gold-plans/${plan.id}/redeem`, {})).status).to.equal(403);
    expect((await admin.post(`/schemes/gold-plans/${plan.id}/redeem`, {})).status).to.equal(302);
    expect((await w.gold.get(w.ctx, plan.id)).status).to.equal('redeemed');
  });

  it('closes with the texted code: a wrong code is named beside the code field and the plan stays active', async () => {
    const c = await goldCustomer(w);
    const id = await enrolled(c);
    expect((await admin.post(`/schemes/gold-plans/${id}/close-code`, {})).status).to.equal(302);
    const code = await lastCode(w, c);
    const wrong = await admin.post(`/schemes/gold-plans/${id}/close`, { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).to.equal(422);
    expect(wrong.text).to.match(/field-code-error/);
    expect((await w.gold.get(w.ctx, id)).status).to.equal('active');
    const closed = await admin.post(`/schemes/gold-plans/${id}/close`, { code });
    expect(closed.status).to.equal(302);
    const plan = await w.gold.get(w.ctx, id);
    expect(plan).to.include({ status: 'closed', closed_by: w.admin.id });
    const page = await admin.get(`/schemes/gold-plans/${id}`);
    expect(page.text).to.not.contain('data-test="close-form"').and.not.contain('data-test="pay-form"');
  });

  it('a cashier enrols and records payments but sees no close, pause or tier form, and is refused those posts', async () => {
    const id = await enrolled(await goldCustomer(w));
    const page = await cashier.get(`/schemes/gold-plans/${id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('data-test="pay-form"').and.not.contain('data-test="close-form"').and.not.contain('Send close code').and.not.contain('Pause plan').and.not.contain('Change tier');
    expect((await cashier.post(`/schemes/gold-plans/${id}/close`, { code: '123456' })).status).to.equal(403);
    expect((await cashier.post(`/schemes/gold-plans/${id}/close-code`, {})).status).to.equal(403);
    expect((await cashier.post(`/schemes/gold-plans/${id}/pause`, { months: 1 })).status).to.equal(403);
    expect((await cashier.post(`/schemes/gold-plans/${id}/change-tier`, { tier: 'T2' })).status).to.equal(403);
    expect((await cashier.get(`/schemes/gold-schemes/new`)).status).to.equal(403);
    expect((await cashier.get(`/schemes/gold-plans/new`)).status).to.equal(200);
  });

  it('scheme templates and rates have their list and form pages for a manager', async () => {
    const list = await admin.get('/schemes/gold-schemes');
    expect(list.status).to.equal(200);
    expect(list.text).to.contain(scheme.name);
    expect((await admin.get('/schemes/gold-schemes/new')).status).to.equal(200);
    const rate = await admin.post('/schemes/gold-rates', { day: '2026-05-02', rate: '6500.00' });
    expect(rate.status, rate.text.slice(0, 400)).to.equal(302);
    expect((await admin.get('/schemes/gold-rates')).text).to.contain('2026-05-02');
  });

  it('installs the gold role templates: the cashier enrols, pays and reads; the manager holds every gold permission', async () => {
    const perms = async (name: string) => {
      const role = await w.t.knex('core_roles').whereNull('company_id').where({ name }).first('id');
      return (await w.t.knex('core_role_permissions').where({ role_id: role.id }).pluck('permission')) as string[];
    };
    expect(await perms('Gold scheme cashier')).to.have.members(['schemes.plan.read', 'schemes.plan.enrol', 'schemes.plan.pay']);
    const gold = w.t.kernel.catalog.all().map((p) => p.name).filter((n) => /^schemes\.(scheme|report)\.|^schemes\.plan\.(read|enrol|pay|pause|change|close|redeem)$/.test(n));
    expect(await perms('Gold scheme manager')).to.have.members(gold);
    expect(GOLD_ROLE_TEMPLATES).to.have.length(2);
  });
});
