import { expect } from 'chai';
import { daysBetween, groupOf, makeBundle, makeCustomer, makePlan, pay, planNow, schemesWorld, type SchemesWorld } from './schemes-fixtures';

describe('schemes pay plans with billing @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: SchemesWorld;
  before(async () => {
    w = await schemesWorld();
  });

  it('signs a plan: schedule with the remainder last, the deposit invoiced through billing at once', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c, { total: 2100, deposit: 1600, instalment_amount: 170 });
    const schedule = await w.plans.schedule(w.ctx, plan.id);
    expect(schedule.map((r) => r.amount)).to.deep.equal([1600, 166, 166, 168]);
    expect(schedule[0].invoice_id).to.be.a('number');
    const invoice = await w.documents.get(w.ctx, Number(schedule[0].invoice_id));
    expect(invoice).to.include({ total: 1600, status: 'posted', customer_id: c });
    expect(plan).to.include({ owed: 2100, days_bought: 0, bonus_days: 0, status: 'active' });
  });

  it('names the wrong fields of a plan', async () => {
    const c = await makeCustomer(w);
    const e = await makePlan(w, c, { product_code: 'NOPE', deposit: 20000 }).catch((x) => x);
    expect(e.fields).to.include({ product_code: 'no active product has the code NOPE', deposit: 'cannot exceed the total' });
  });

  it('a payment buys whole days, moves the expiry from now, and carries what buys less than a day', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    await pay(w, c, 839);
    const after = await planNow(w, plan.id);
    expect(after).to.include({ days_bought: 20, carried_credit: 39, owed: 10000 - 839, bonus_days: 0 });
    expect(daysBetween(new Date().toISOString(), after.expiry)).to.equal(20);
    await pay(w, c, 1);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 21, carried_credit: 0 });
  });

  it('leaves a payment recorded for another purpose (a loyalty recharge, a gold instalment) to its owner', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    await pay(w, c, 840, { allocate: false, metadata: { purpose: 'loyalty.recharge' } });
    expect(await planNow(w, plan.id)).to.include({ days_bought: 0, owed: 10000 });
    await pay(w, c, 840);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 21, owed: 10000 - 840 });
  });

  it('a payment larger than owed pays the plan off, completes it, and leaves the excess as customer credit', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c, { total: 1000, deposit: 0, instalment_amount: 500, instalment_days: 10 });
    const before = await w.accounts.balance(w.ctx, c);
    await pay(w, c, 1500);
    expect(await planNow(w, plan.id)).to.include({ status: 'completed', owed: 0, days_bought: 20 });
    const events = await w.plans.events(w.ctx, plan.id);
    expect(events.map((e) => e.kind)).to.deep.equal(['payment', 'completed']);
    expect(events[0].detail).to.equal('500 left as customer credit');
    expect((await w.accounts.balance(w.ctx, c)).credit).to.be.at.least(before.credit + 500);
  });

  it('with "refuse", a payment larger than owed is refused at posting and nothing is kept', async () => {
    const settings = w.t.container.get<any>(Symbol.for('core.Settings'));
    await settings.set(w.companyId, 'schemes', { overpayment: 'refuse' });
    try {
      const c = await makeCustomer(w);
      const plan = await makePlan(w, c, { total: 1000, deposit: 0, instalment_amount: 500, instalment_days: 10 });
      const e = await pay(w, c, 1500, { reference: 'TX-OVER' }).catch((x) => x);
      expect(e.fields).to.have.property('amount');
      expect(await planNow(w, plan.id)).to.include({ owed: 1000, days_bought: 0 });
      expect(await w.t.knex('billing_payments').where({ company_id: w.companyId, reference: 'TX-OVER' })).to.have.length(0);
    } finally {
      await settings.set(w.companyId, 'schemes', { overpayment: 'credit' });
    }
  });

  it('a payment naming a plan goes to it; with two active plans and none named it stays credit', async () => {
    const c = await makeCustomer(w);
    const p1 = await makePlan(w, c);
    const p2 = await makePlan(w, c);
    await pay(w, c, 400);
    expect((await planNow(w, p1.id)).days_bought).to.equal(0);
    expect((await planNow(w, p2.id)).days_bought).to.equal(0);
    await pay(w, c, 400, { metadata: { pay_plan_id: p2.id } });
    expect((await planNow(w, p2.id)).days_bought).to.equal(10);
  });

  it('a reversal undoes the days, the carried money and the bonus', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    await makeBundle(w, [await groupOf(w, [c])]);
    const before = await planNow(w, plan.id);
    const payment = await pay(w, c, 850);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 21, bonus_days: 2, carried_credit: 10 });
    await w.payments.reverse(w.ctx, payment.id, 'mobile money refund');
    const after = await planNow(w, plan.id);
    expect(after).to.include({ days_bought: 0, bonus_days: 0, carried_credit: 0, owed: 10000 });
    // The days are gone: the device is off again (it was off before the payment).
    expect(Date.parse(after.expiry)).to.be.at.most(Date.now());
    expect(Date.parse(before.expiry)).to.be.below(Date.now());
    expect((await w.plans.events(w.ctx, plan.id)).map((e) => e.kind)).to.deep.equal(['payment', 'bonus', 'payment_reversed', 'bonus_reversed']);
  });

  it('a reversal of a payment that earned a cash discount reverses its credit note: the plan owes it again', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    await makeBundle(w, [await groupOf(w, [c])], { type: 'cash_discount' });
    const payment = await pay(w, c, 850);
    const rewarded = await planNow(w, plan.id);
    expect(rewarded.discount).to.be.greaterThan(0);
    await w.payments.reverse(w.ctx, payment.id, 'mobile money refund');
    expect(await planNow(w, plan.id)).to.include({ owed: 10000, discount: 0, bonus_days: 0 });
    const bonus = (await w.plans.events(w.ctx, plan.id)).find((e: any) => e.kind === 'bonus_reversed') as any;
    const note = await w.documents.get(w.ctx, Number(bonus.credit_note_id));
    expect(note.status).to.equal('cancelled');
  });
});

