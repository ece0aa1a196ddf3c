import { expect } from 'chai';
import supertest from 'supertest';
import { startTestApp, type TestApp } from 'tessera/testing';
import { CRM, type CustomerService } from '../../crm/api';
import { bearer, uniq } from './test-helpers';


describe('loyalty cards: manager statistics @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let companyId: number;
  let analyst: string;
  let southAnalyst: string;
  let nowhere: string;
  const shops: number[] = [];
  const managers: Array<{ id: number; token: string }> = [];
  const cards: number[] = [];
  const api = () => supertest(t.app);

  before(async () => {
    t = await startTestApp();
    const now = new Date();
    const code = uniq('M').toUpperCase().slice(0, 10);
    const [id] = await t.knex('core_companies').insert({ code, name: `Managers ${code}`, currency: 'EUR', timezone: 'Europe/Paris', created_at: now, updated_at: now });
    companyId = Number(id);
    const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [companyId] });
    const ctx = await t.contextFor(admin.id, companyId);
    const token = await t.token(admin.email);
    for (const name of ['North', 'South']) shops.push((await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name })).id);
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(token)).send({ name: uniq('stamp '), type: 'stamp', rules: { stamp_step: 1000, milestones: [{ stamps: 5, reward: 'Coffee' }], life: { kind: 'unlimited' } } });
    for (const who of ['x', 'y']) {
      const customer = await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: who, last_name: uniq('Mgr'), shop_id: shops[0] });
      cards.push((await api().post('/api/v1/loyalty/cards').set(bearer(token)).send({ template_id: tpl.body.id, customer_id: customer.id })).body.id);
    }
    // Managers hold the permissions of the 'Loyalty manager' role template.
    const role = await t.knex('core_roles').whereNull('company_id').where({ name: 'Loyalty manager' }).first('id');
    const permissions = (await t.knex('core_role_permissions').where({ role_id: role.id })).map((r: { permission: string }) => r.permission);
    expect(permissions).to.include('loyalty.card.scan');
    // Both work at both shops (base's user shops): a manager of several shops reaches all of them at once.
    for (let i = 0; i < 2; i++) {
      const user = await t.createUser({ permissions, companyIds: [companyId] });
      const set = await api().put(`/api/v1/base/users/${user.id}/shops`).set(bearer(token)).send({ shop_ids: shops });
      expect(set.status, JSON.stringify(set.body)).to.equal(200);
      managers.push({ id: user.id, token: await t.token(user.email) });
    }
    analyst = await t.token((await t.createUser({ permissions: ['loyalty.card.analyse', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
    // Statistics are of the shops one reaches: an analyst of South alone, and one of no shop and no permission for all.
    const south = await t.createUser({ permissions: ['loyalty.card.analyse'], companyIds: [companyId] });
    await api().put(`/api/v1/base/users/${south.id}/shops`).set(bearer(token)).send({ shop_ids: [shops[1]] }).expect(200);
    southAnalyst = await t.token(south.email);
    nowhere = await t.token((await t.createUser({ permissions: ['loyalty.card.analyse'], companyIds: [companyId] })).email);
  });

  const scan = async (manager: number, card: number, shop: number, body: Record<string, unknown>) => {
    const res = await api().post(`/api/v1/loyalty/cards/${cards[card]}/transactions`).set(bearer(managers[manager].token)).send({ key: uniq('tap-'), shop_id: shops[shop], ...body });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  };

  it('counts transactions, customers served and rewards per manager and shop', async () => {
    await scan(0, 0, 0, { action: 'stamp', amount: 5000 });
    await scan(0, 0, 0, { action: 'redeem_reward', milestone: 5 });
    await scan(0, 1, 0, { action: 'stamp', amount: 1000 });
    await scan(0, 1, 1, { action: 'stamp', amount: 1000 });
    await scan(1, 0, 1, { action: 'stamp', amount: 2000 });
    await scan(1, 1, 1, { action: 'stamp', amount: 2000 });
    await scan(1, 1, 1, { action: 'stamp', amount: 2000 });
    const res = await api().get('/api/v1/loyalty/reports/card-managers').set(bearer(analyst));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.data).to.deep.equal([
      { user_id: managers[0].id, shop_id: shops[0], transactions: 3, customers: 2, rewards: 1 },
      { user_id: managers[0].id, shop_id: shops[1], transactions: 1, customers: 1, rewards: 0 },
      { user_id: managers[1].id, shop_id: shops[1], transactions: 3, customers: 2, rewards: 0 },
    ]);
    const before = await api().get('/api/v1/loyalty/reports/card-managers?from=2020-01-01&to=2020-12-31').set(bearer(analyst));
    expect(before.body.data).to.deep.equal([]);
    const bad = await api().get('/api/v1/loyalty/reports/card-managers?from=2020-13-01').set(bearer(analyst));
    expect(bad.status).to.equal(422);
    expect(bad.body.error.fields).to.have.property('from');
    const refused = await api().get('/api/v1/loyalty/reports/card-managers').set(bearer(managers[0].token));
    expect(refused.status).to.equal(403);
  });

  it("counts only the shops an analyst reaches: all of theirs at once, one picked, none without shops", async () => {
    const south = await api().get('/api/v1/loyalty/reports/card-managers').set(bearer(southAnalyst));
    expect(south.status, JSON.stringify(south.body)).to.equal(200);
    expect(south.body.data).to.deep.equal([
      { user_id: managers[0].id, shop_id: shops[1], transactions: 1, customers: 1, rewards: 0 },
      { user_id: managers[1].id, shop_id: shops[1], transactions: 3, customers: 2, rewards: 0 },
    ]);
    const north = await api().get(`/api/v1/loyalty/reports/card-managers?shop_id=${shops[0]}`).set(bearer(southAnalyst));
    expect(north.status).to.equal(403);
    expect(north.body.error.fields).to.have.property('shop_id');
    const picked = await api().get(`/api/v1/loyalty/reports/card-managers?shop_id=${shops[0]}`).set(bearer(analyst));
    expect(picked.body.data.map((r: { shop_id: number }) => r.shop_id)).to.deep.equal([shops[0]]);
    const none = await api().get('/api/v1/loyalty/reports/card-managers').set(bearer(nowhere));
    expect(none.status).to.equal(200);
    expect(none.body.data).to.deep.equal([]);
    // The page's shop picker offers their shops only.
    const page = await api().get('/loyalty/managers/statistics').set({ Authorization: `Bearer ${southAnalyst}` });
    expect(page.text).to.contain('data-test="shop-picker"').and.contain(`<option value="${shops[1]}"`).and.not.contain(`<option value="${shops[0]}"`);
  });

  it('a manager of two shops lists the cards of both at once, and narrows to one of them', async () => {
    const both = await api().get('/api/v1/loyalty/cards').set(bearer(managers[0].token));
    expect(both.body.data.map((c: { id: number }) => c.id).sort()).to.deep.equal([...cards].sort());
    const moved = await api().patch(`/api/v1/loyalty/cards/${cards[1]}`).set(bearer(managers[0].token)).send({ shop_id: shops[1] });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    const still = await api().get('/api/v1/loyalty/cards').set(bearer(managers[0].token));
    expect(still.body.data.map((c: { id: number }) => c.id).sort()).to.deep.equal([...cards].sort());
    const north = await api().get(`/api/v1/loyalty/cards?shop_id=${shops[0]}`).set(bearer(managers[0].token));
    expect(north.body.data.map((c: { id: number }) => c.id)).to.deep.equal([cards[0]]);
    // From code, a set of shops: only the part of it that is theirs.
    const service = t.container.get<any>(Symbol.for('loyalty.card'));
    const mine = await t.contextFor(managers[0].id, companyId);
    expect((await service.list(mine, { filters: { shop_id: [shops[1], 999_999_999] } })).map((c: { id: number }) => c.id)).to.deep.equal([cards[1]]);
    expect(await service.list(mine, { filters: { shop_id: [999_999_999] } })).to.deep.equal([]);
    // The dashboard counts both shops at once, and picks one of them by name.
    const dash = await api().get('/api/v1/loyalty/card-dashboard').set(bearer(managers[0].token));
    const ofNorth = await api().get(`/api/v1/loyalty/card-dashboard?shop_id=${shops[0]}`).set(bearer(managers[0].token));
    const ofSouth = await api().get(`/api/v1/loyalty/card-dashboard?shop_id=${shops[1]}`).set(bearer(managers[0].token));
    expect(dash.body.totals.transactions).to.equal(ofNorth.body.totals.transactions + ofSouth.body.totals.transactions).and.to.be.above(ofNorth.body.totals.transactions);
    const page = await api().get(`/loyalty/card-dashboard?shop_id=${shops[1]}`).set({ Authorization: `Bearer ${managers[0].token}` });
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('data-test="shop-picker"').and.contain(`<option value="${shops[0]}"`).and.contain(`<option value="${shops[1]}" selected`);
  });

  it('draws the statistics on a page', async () => {
    const user = await t.createUser({ permissions: ['loyalty.card.analyse', 'loyalty.card.all_shops'], companyIds: [companyId] });
    const agent = await t.login(user.email, user.password);
    const page = await agent.get('/loyalty/managers/statistics');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('data-chart=');
    expect((page.text.match(/data-test="manager-row"/g) ?? []).length).to.equal(3);
  });
});
