import { expect } from 'chai';
import supertest from 'supertest';
import { balances, draft, enable, grant, makeCustomer, pointsWorld, type PointsWorld } from './points-fixtures';

/**
 * Redemptions at the same moment, from separate HTTP clients: on MariaDB they really run at once
 * (separate connections); the account's row lock and the guarded update settle them.
 */
describe('loyalty points: concurrent redemptions @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let w: PointsWorld;
  let token: string;
  before(async () => {
    w = await pointsWorld();
    token = await w.t.token(w.admin.email);
  });

  const redeem = (body: Record<string, unknown>) => supertest(w.t.app).post('/api/v1/loyalty/redemptions').set({ Authorization: `Bearer ${token}`, Accept: 'application/json' }).send(body);

  it('8 clients spending one balance on 8 drafts cannot overspend (tranche mode)', async () => {
    await enable(w); // 100 points = 5.00
    const c = await makeCustomer(w);
    await grant(w, c, 450);
    const drafts = await Promise.all(Array.from({ length: 8 }, () => draft(w, c, 1000))); // each could take 2 tranches
    const results = await Promise.all(drafts.map((d) => redeem({ invoice_id: d.id })));
    const ok = results.filter((r) => r.status === 201);
    const spent = ok.reduce((sum, r) => sum + r.body.points, 0);
    for (const r of results) expect([201, 409, 422], JSON.stringify(r.body)).to.include(r.status);
    expect(spent).to.equal(400);
    expect(await balances(w, c)).to.deep.equal({ account: 50, ledger: 50 });
    const totals = await Promise.all(drafts.map(async (d) => (await w.documents.get(w.ctx, d.id)).total));
    expect(totals.reduce((a, b) => a + b, 0), 'money taken off the drafts = value of the points spent').to.equal(8000 - 2000);
  });

  it('8 clients spending one balance in direct mode: the balance never goes below 0', async () => {
    await enable(w, { mode: 'direct', point_value: 1 });
    const c = await makeCustomer(w);
    await grant(w, c, 1000);
    const drafts = await Promise.all(Array.from({ length: 8 }, () => draft(w, c, 300)));
    const results = await Promise.all(drafts.map((d) => redeem({ invoice_id: d.id })));
    const spent = results.filter((r) => r.status === 201).reduce((sum, r) => sum + r.body.points, 0);
    expect(spent).to.equal(1000);
    expect(await balances(w, c)).to.deep.equal({ account: 0, ledger: 0 });
  });

  it('the same draft redeemed by 6 clients at once takes the points once', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    await grant(w, c, 1000);
    const d = await draft(w, c, 2000);
    const results = await Promise.all(Array.from({ length: 6 }, () => redeem({ invoice_id: d.id })));
    expect(results.filter((r) => r.status === 201)).to.have.length(1);
    expect(await balances(w, c)).to.deep.equal({ account: 600, ledger: 600 });
    expect((await w.documents.get(w.ctx, d.id)).total).to.equal(0);
  });
});
