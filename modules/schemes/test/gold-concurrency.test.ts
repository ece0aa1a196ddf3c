import { expect } from 'chai';
import { enrol, goldCustomer, goldWorld, makeScheme, payOn, type GoldWorld } from './gold-fixtures';

/**
 * Two counter clerks (or a clerk and a gateway callback) recording the same month at once: on MariaDB
 * they run on separate connections; the plan's row lock and the unique keys let exactly one in.
 */
describe('gold plan concurrent payments @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: GoldWorld;
  before(async () => {
    w = await goldWorld();
  });

  it('two payments for one fixed instalment at once: one wins, the other is refused with the reason', async () => {
    const s = await makeScheme(w);
    const customer = await goldCustomer(w);
    const plan = await enrol(w, s.id, customer, '2026-04');
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => payOn(w, plan.id, '2026-04-05', 1000, { reference: `DESK-${i}` })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(won).to.have.length(1);
    expect(lost).to.have.length(3);
    for (const r of lost) expect(r.reason.message).to.match(/already has its instalment for 2026-04/);
    expect(await w.gold.get(w.ctx, plan.id)).to.include({ paid_total: 1000, paid_count: 1 });
    expect((await w.gold.ledger(w.ctx, plan.id))).to.have.length(1);
  });

  it('the same reference posted several times at once is one payment, counted once', async () => {
    const s = await makeScheme(w, { kind: 'flexible' });
    const plan = await enrol(w, s.id, await goldCustomer(w), '2026-04');
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => payOn(w, plan.id, '2026-04-05', 1500, { reference: 'UPI-77' })));
    const ids = new Set(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<any>).value.id));
    expect(ids.size).to.equal(1);
    expect(await w.gold.get(w.ctx, plan.id)).to.include({ paid_total: 1500, paid_count: 1 });
  });

  it('flexible payments at once all count, none lost', async () => {
    const s = await makeScheme(w, { kind: 'flexible' });
    const plan = await enrol(w, s.id, await goldCustomer(w), '2026-04');
    await Promise.all([1, 2, 3, 4, 5].map((i) => payOn(w, plan.id, '2026-04-06', 1000 + i)));
    expect(await w.gold.get(w.ctx, plan.id)).to.include({ paid_total: 5015, paid_count: 1 });
  });
});
