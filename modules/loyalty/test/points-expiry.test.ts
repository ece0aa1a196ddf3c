import { expect } from 'chai';
import { expireAll, expireCompany, monthsBefore } from '../points/points-expiry';
import { balances, draft, enable, grant, makeCustomer, pointsWorld, type PointsWorld } from './points-fixtures';

describe('loyalty points: expiry, oldest first @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: PointsWorld;
  before(async () => {
    w = await pointsWorld();
  });

  const age = (customerId: number, months: number) =>
    w.t.knex('loyalty_points_ledger').where({ company_id: w.companyId, customer_id: customerId }).update({ created_at: monthsBefore(new Date(), months) });

  it('months count on the calendar; the 31st falls back to the month end', () => {
    expect(monthsBefore(new Date('2026-03-31T10:00:00Z'), 1).toISOString()).to.equal('2026-02-28T10:00:00.000Z');
    expect(monthsBefore(new Date('2026-12-03T01:00:00Z'), 12).toISOString()).to.equal('2025-12-03T01:00:00.000Z');
  });

  it('old points not yet spent expire; spending consumed the oldest first; a second run writes nothing', async () => {
    await enable(w, { expiry_months: 12 });
    const c = await makeCustomer(w);
    await grant(w, c, 300);
    await age(c, 13); // 300 points from 13 months ago
    await grant(w, c, 150); // fresh points
    await w.points.redeem(w.ctx, { invoice_id: (await draft(w, c, 1000)).id }); // 200 points, taken from the old ones
    const first = await expireCompany(w.ctx.db);
    expect(first).to.deep.equal({ customers: 1, points: 100 });
    expect(await balances(w, c)).to.deep.equal({ account: 150, ledger: 150 });
    expect((await expireCompany(w.ctx.db)).points).to.equal(0);
    const s = await w.points.statement(w.ctx, c);
    expect(s.ledger.map((l) => [l.kind, l.points, l.balance])).to.deep.equal([['adjusted', 300, 300], ['adjusted', 150, 450], ['spent', -200, 250], ['expired', -100, 150]]);
  });

  it('nothing expires without an expiry setting, nor before the months have passed', async () => {
    await enable(w, { expiry_months: 0 });
    const c = await makeCustomer(w);
    await grant(w, c, 100);
    await age(c, 40);
    expect((await expireCompany(w.ctx.db)).points).to.equal(0);
    await enable(w, { expiry_months: 24 });
    const d = await makeCustomer(w);
    await grant(w, d, 100);
    await age(d, 23);
    await expireAll({ container: w.t.container });
    expect(await balances(w, d)).to.deep.equal({ account: 100, ledger: 100 });
    expect(await balances(w, c)).to.deep.equal({ account: 0, ledger: 0 });
  });
});
