import { expect } from 'chai';
import { groupOf, makeBundle, makeCustomer, makePlan, pay, planNow, schemesWorld, uniq, type SchemesWorld } from './schemes-fixtures';

/**
 * Payments at the same moment, as two mobile-money callbacks arrive: on MariaDB they really run at
 * once (separate connections); the plan's row lock and the unique keys settle them.
 */
describe('schemes concurrent payments @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: SchemesWorld;
  before(async () => {
    w = await schemesWorld();
  });

  it('two distinct qualifying payments at once both count, each with its bonus, no lost update', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    await makeBundle(w, [await groupOf(w, [c])]);
    await Promise.all([pay(w, c, 840), pay(w, c, 840), pay(w, c, 840)]);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 63, bonus_days: 6, owed: 10000 - 3 * 840 });
  });

  it('the same transaction posted several times at once gives one payment, one application and one bonus', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    await makeBundle(w, [await groupOf(w, [c])]);
    const reference = uniq('MP');
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => pay(w, c, 840, { reference })));
    const ids = new Set(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<any>).value.id));
    expect(ids.size).to.equal(1);
    expect(await planNow(w, plan.id)).to.include({ days_bought: 21, bonus_days: 2 });
    const events = await w.plans.events(w.ctx, plan.id);
    expect(events.filter((e) => e.kind === 'bonus')).to.have.length(1);
  });
});
