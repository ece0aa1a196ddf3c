import { expect } from 'chai';
import { ownStatementsDuring } from 'tessera/testing';
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
    const groupIdsOf = groups.groupIdsOf;
    groups.groupIdsOf = function (...args: unknown[]) {
      // Asked for this world's company: not by a job applying another file's payment meanwhile.
      if ((args[0] as { companyId?: number })?.companyId === w.companyId) asked++;
      return groupIdsOf.apply(this, args);
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

  it('bundles are read once per company, not per payment; creating, editing or deactivating one applies to the next payment', async () => {
    const c = await makeCustomer(w);
    const plan = await makePlan(w, c);
    const group = await groupOf(w, [c]);
    const big = await makeBundle(w, [group], { trigger_days: 21, reward_days: 2 });
    // Just after a write nothing is kept for a second (the write may not have committed when a payment reads).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // The two payments' own reads (schemes applies a payment in billing's transaction, in the call's chain),
    // not a job's working off another file's payment meanwhile.
    const { statements } = await ownStatementsDuring(w.t.knex, async () => {
      await pay(w, c, 840); // 21 days: +2
      await pay(w, c, 840);
    });
    const bundleReads = statements.map((q) => q.sql).filter((sql) => /from [`"]schemes_bundles[`"]/.test(sql));
    expect(bundleReads, bundleReads.join('\n')).to.have.length.at.most(1);
    await w.bundles.update(w.ctx, big.id, { reward_days: 5 });
    await pay(w, c, 840); // the edit applies at once: +5
    await w.bundles.update(w.ctx, big.id, { active: false });
    await pay(w, c, 840); // deactivated: no bonus
    await makeBundle(w, [group], { trigger_days: 7, reward_days: 1 });
    await pay(w, c, 840); // a new bundle applies at once: +1
    expect(await planNow(w, plan.id)).to.include({ days_bought: 105, bonus_days: 2 + 2 + 5 + 0 + 1 });
  });

  it('crm answers the ids of the groups holding a customer in one statement, by current shop and by list', async () => {
    const c = await makeCustomer(w);
    const list = await groupOf(w, [c]);
    const byShop = await w.groups.create(w.ctx, { name: `Shop ${Date.now()}`, type: 'shop', shop_ids: [w.shops[0]] } as any);
    // Only the call's own statements: the relay and the job runner share the knex, and the events of the
    // customer and groups just made (or an earlier file's) are worked off in the background meanwhile.
    const { result: ids, statements } = await ownStatementsDuring(w.t.knex, () => w.groups.groupIdsOf(w.ctx, c));
    expect(statements.map((q) => q.sql), statements.map((q) => q.sql).join('\n')).to.have.length(1);
    const expected = (await w.groups.groupsOf(w.ctx, c)).map((g) => g.id);
    expect([...ids].sort()).to.deep.equal([...expected].sort());
    expect(ids).to.include(list);
    const inShopA = (await w.customers.get(w.ctx, c)).shop_id === w.shops[0];
    expect(ids.includes(byShop.id)).to.equal(inShopA);
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
