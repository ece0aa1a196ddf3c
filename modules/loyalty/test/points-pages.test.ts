import { expect } from 'chai';
import type { TestAgent } from 'tessera/testing';
import { enable, makeCustomer, pointsWorld, sell, type PointsWorld } from './points-fixtures';

describe('loyalty points pages @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let w: PointsWorld;
  let admin: TestAgent;
  before(async () => {
    w = await pointsWorld();
    admin = await w.t.login(w.admin.email, w.admin.password);
  });

  it('the landing lists the sections the user may open', async () => {
    const page = await admin.get('/loyalty');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Points liability').and.contain('Points settings');
    const user = await w.t.createUser({ permissions: ['loyalty.points.read'], companyIds: [w.companyId] });
    const reader = await w.t.login(user.email, user.password);
    const limited = await reader.get('/loyalty');
    expect(limited.text).to.contain('Points liability').and.not.contain('/loyalty/points/settings');
    expect((await reader.get('/loyalty/points/settings')).status).to.equal(403);
  });

  it('the settings form saves, and names the missing product', async () => {
    const form = await admin.get('/loyalty/points/settings');
    expect(form.status).to.equal(200);
    const base = { active: '1', ratio: '1.5', mode: 'tranche', tranche_points: '100', tranche_value: '5.00', point_value: '0.01', expiry_months: '0' };
    const missing = await admin.post('/loyalty/points/settings', { ...base, product_code: 'NOPE' });
    expect(missing.status).to.equal(422);
    expect(missing.text).to.contain('NOPE');
    const bad = await admin.post('/loyalty/points/settings', { ...base, ratio: 'lots', product_code: 'PTS' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('points per currency unit');
    const ok = await admin.post('/loyalty/points/settings', { ...base, product_code: 'PTS' });
    expect(ok.status, ok.text.slice(0, 300)).to.equal(302);
    expect(await w.points.settings(w.ctx)).to.include({ active: true, ratio_bp: 15000, tranche_value: 500, point_value: 1, product_code: 'PTS' });
  });

  it('the customer page shows the points and ledger; the panel adjusts with a reason and sets the card', async () => {
    await enable(w);
    const c = await makeCustomer(w);
    await sell(w, c, 7700);
    const page = await admin.get(`/crm/customers/${c}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Loyalty points').and.match(/data-test="points-balance">77</);
    const adjusted = await admin.post(`/loyalty/customers/${c}/points/adjustments`, { points: '-7', reason: 'typo at the till' });
    expect(adjusted.status).to.equal(302);
    await admin.post(`/loyalty/customers/${c}/points/card`, { card_number: 'card-77' });
    const after = await admin.get(`/crm/customers/${c}`);
    expect(after.text).to.match(/data-test="points-balance">70</).and.contain('typo at the till').and.contain('CARD-77');
  });

  it('the liability page draws its chart from the report', async () => {
    const page = await admin.get('/loyalty/points/liability');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('data-chart').and.contain('/static/vendor/chart.umd.js').and.contain('data-test="points-outstanding"');
  });
});
