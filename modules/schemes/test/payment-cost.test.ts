import { expect } from 'chai';
import { applyPayment } from '../evaluation/apply-payment';
import { portsOf } from '../billing/billing-ports';
import { groupOf, makeBundle, makeCustomer, makePlan, pay, planNow, schemesWorld, type SchemesWorld } from './schemes-fixtures';

/** What a payment costs schemes: crm is asked only when a bundle could apply; the "once" check is the unique key. */
describe('schemes payment cost @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: SchemesWorld;
  let asked = 0;
  before(async () => {
    w = await schemesWorld();
    const groups = w.groups as any;
    const groupsOf = groups.groupsOf;
    groups.groupsOf = function (...args: unknown[]) {
      asked++;
      return groupsOf.apply(this, args);
    };
  });

  it('a top-up below every trigger never asks crm for the groups; one reaching a trigger asks once', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    await makeBundle(w, [await groupOf(w, [c])], { trigger_days: 21, reward_days: 2 });
    await makeBundle(w, [await groupOf(w, [c])], { trigger_days: 14, reward_days: 1 });
    asked = 0;
    await pay(w, c, 520); // 13 days: below both triggers
    expect(asked).to.equal(0);
    await pay(w, c, 560); // 14 days: the 14-day bundle may apply
    expect(asked).to.equal(1);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 27, bonus_days: 1 });
  });

  it('applying the same payment again answers "already applied" from the ledger\'s unique key and changes nothing', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    const payment = await pay(w, c, 840);
    const before = await planNow(w, plan.id);
    const again = await w.ctx.db.transaction((db) => applyPayment(portsOf(w.t.container), db, w.companyId, { payment_id: payment.id, customer_id: c, journal_id: w.journals.mobile.id, amount: 840, metadata: {} } as any));
    expect(again).to.deep.equal({ plan: null, reason: 'already applied' });
    expect(await planNow(w, plan.id)).to.deep.equal(before);
    expect((await w.plans.events(w.ctx, plan.id)).filter((e) => e.kind === 'payment')).to.have.length(1);
  });
});
