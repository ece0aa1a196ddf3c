import { expect } from 'chai';
import { postedInvoiceOf } from './invoice-helper';
import { previewPayment } from '../bundles/bundle-preview';
import { portsOf } from '../billing/billing-ports';
import { groupOf, makeBundle, makeCustomer, makePlan, pay, planNow, schemesWorld, uniq, type SchemesWorld } from './schemes-fixtures';

/** A daily rate of 40 (840 per 21 days) and a bundle of 21 days → +2, unless a test says otherwise. */
describe('schemes bonus bundles on billing payments @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: SchemesWorld;
  before(async () => {
    w = await schemesWorld();
  });

  async function customerInBundle(over: Record<string, unknown> = {}, planOver: Record<string, unknown> = {}) {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c, planOver);
    const bundle = await makeBundle(w, [await groupOf(w, [c])], over);
    return { c, plan, bundle };
  }

  it('one payment that buys the trigger gets the reward', async () => {
    const { c, plan } = await customerInBundle();
    await pay(w, c, 840);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 21, bonus_days: 2 });
  });

  it('two smaller payments that add up to the trigger get none', async () => {
    const { c, plan } = await customerInBundle();
    await pay(w, c, 420);
    await pay(w, c, 420);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 21, bonus_days: 0 });
  });

  it('a payment one minor unit short buys a day less, no bonus, and carries the rest; the carried credit never counts toward a trigger', async () => {
    const { c, plan } = await customerInBundle();
    await pay(w, c, 839);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 20, bonus_days: 0, carried_credit: 39 });
    // 39 carried + 801 = 840 buys 21 days, but the payment's own money buys 20: no bonus.
    await pay(w, c, 801);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 41, bonus_days: 0, carried_credit: 0 });
  });

  it('an ontime-only bonus leaves the amount owed as the payment alone reduced it', async () => {
    const { c, plan } = await customerInBundle();
    const before = await w.accounts.balance(w.ctx, c);
    await pay(w, c, 840);
    expect(await planNow(w, plan.id)).to.include({ owed: 10000 - 840, discount: 0, bonus_days: 2 });
    expect((await w.accounts.balance(w.ctx, c)).balance).to.equal(before.balance - 840);
  });

  it('a cash-discount credit note (reward × daily rate) lands on the latest outstanding invoice, the excess on the next latest', async () => {
    // No deposit and a first instalment due in 21 days: the customer's only open invoices are these two.
    const { c, plan } = await customerInBundle({ type: 'cash_discount', reward_days: 3 }, { deposit: 0 });
    const older = await postedInvoiceOf(w, c, 100);
    const latest = await postedInvoiceOf(w, c, 50);
    // 840 pays 100 + 50 (oldest first in billing) unless told otherwise: keep it as credit.
    await pay(w, c, 840, { allocate: false });
    const after = await planNow(w, plan.id);
    expect(after).to.include({ bonus_days: 3, discount: 120 });
    const bonus = (await w.plans.events(w.ctx, plan.id)).find((e) => e.kind === 'bonus')!;
    expect(bonus).to.include({ amount: 120, days: 3 });
    expect((await w.documents.get(w.ctx, latest)).residual).to.equal(0);
    expect((await w.documents.get(w.ctx, older)).residual).to.equal(100 - 70);
  });

  it('a payment in a journal the bundle excludes gets no bonus', async () => {
    const { c, plan } = await customerInBundle({ payment_journal_ids: [w.journals.cash.id] });
    await pay(w, c, 840);
    expect((await planNow(w, plan.id)).bonus_days).to.equal(0);
    await pay(w, c, 840, { journalId: w.journals.cash.id, method: 'cash' });
    expect((await planNow(w, plan.id)).bonus_days).to.equal(2);
  });

  it('the same mobile-money transaction id posted twice gives one payment and one bonus', async () => {
    const { c, plan } = await customerInBundle();
    const first = await pay(w, c, 840, { reference: 'MP-TX-1' + uniq() });
    const again = await pay(w, c, 840, { reference: first.reference });
    expect(again.id).to.equal(first.id);
    expect(again.created).to.equal(false);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 21, bonus_days: 2 });
  });

  it('only the largest matching trigger applies: 28 → +3 beats 14 → +1', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    const g = await groupOf(w, [c]);
    await makeBundle(w, [g], { trigger_days: 14, reward_days: 1 });
    await makeBundle(w, [g], { trigger_days: 28, reward_days: 3 });
    await pay(w, c, 28 * 40);
    expect((await planNow(w, plan.id)).bonus_days).to.equal(3);
  });

  it('a customer created in the group’s shop after the bundle is eligible, and stops being eligible once moved', async () => {
    const shopGroup = await w.groups.create(w.ctx, { name: uniq('Shop B '), type: 'shop', shop_ids: [w.shops[1]] });
    await makeBundle(w, [shopGroup.id], { trigger_days: 7, reward_days: 1 });
    const c = await makeCustomer(w, 1);
    const plan = await makePlan(w, c);
    await pay(w, c, 7 * 40);
    expect((await planNow(w, plan.id)).bonus_days).to.equal(1);
    await w.customers.update(w.ctx, c, { shop_id: w.shops[0] });
    await pay(w, c, 7 * 40);
    expect((await planNow(w, plan.id)).bonus_days).to.equal(1);
    expect((await planNow(w, plan.id)).shop_id).to.equal(w.shops[0]);
  });

  it('inactive and out-of-date bundles give nothing; the preview says why', async () => {
    const { c, plan, bundle } = await customerInBundle({ active: false });
    await pay(w, c, 840);
    expect((await planNow(w, plan.id)).bonus_days).to.equal(0);
    await w.bundles.update(w.ctx, bundle.id, { active: true });
    const preview = await previewPayment(portsOf(w.t.container), w.ctx, { customer_id: c, amount: 840, journal_id: w.journals.mobile.id });
    expect(preview).to.deep.include({ days: 21, applied: 840 });
    expect(preview.bundle).to.include({ id: bundle.id, reward_days: 2 });
  });

  it('a bundle must use a discount journal of its company and existing groups', async () => {
    const e = await makeBundle(w, [999999], { journal_id: w.journals.cash.id }).catch((x) => x);
    expect(e.fields).to.deep.equal({ journal_id: 'must be a discount journal (CSH is cash)', group_ids: 'customer group 999999 does not exist' });
  });
});
