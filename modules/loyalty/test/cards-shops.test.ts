import { expect } from 'chai';
import supertest from 'supertest';
import { csrfFrom, startTestApp, type TestApp } from 'tessera/testing';
import { BASE, type UserShopService } from '../../base/api';
import { CRM, type CustomerService } from '../../crm/api';
import { bearer, uniq } from './test-helpers';


describe('loyalty cards: managers limited to their shops @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let companyId: number;
  let admin: string;
  let manager: { id: number; email: string; password: string; token: string };
  let templateId: number;
  const shop: Record<'A' | 'B', number> = { A: 0, B: 0 };
  const customer: Record<'A' | 'B', { id: number; last_name: string }> = { A: { id: 0, last_name: '' }, B: { id: 0, last_name: '' } };
  const card: Record<'A' | 'B', { id: number; number: string }> = { A: { id: 0, number: '' }, B: { id: 0, number: '' } };
  const api = () => supertest(t.app);

  before(async () => {
    t = await startTestApp();
    const now = new Date();
    const code = uniq('H').toUpperCase().slice(0, 10);
    const [id] = await t.knex('core_companies').insert({ code, name: `Shops ${code}`, currency: 'EUR', timezone: 'Europe/Paris', created_at: now, updated_at: now });
    companyId = Number(id);
    const owner = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [companyId] });
    const ctx = await t.contextFor(owner.id, companyId);
    admin = await t.token(owner.email);
    for (const key of ['A', 'B'] as const) {
      shop[key] = (await t.container.get<any>(BASE.ShopService).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: `Shop ${key}` })).id;
      const last = uniq(`Holder${key}`);
      customer[key] = { id: (await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: 'Ada', last_name: last, shop_id: shop[key] })).id, last_name: last };
    }
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(admin)).send({ name: uniq('stamp '), type: 'stamp', rules: { stamp_step: 1000, milestones: [{ stamps: 5, reward: 'Coffee' }], life: { kind: 'unlimited' } } });
    templateId = tpl.body.id;
    for (const key of ['A', 'B'] as const) {
      const res = await api().post('/api/v1/loyalty/cards').set(bearer(admin)).send({ template_id: templateId, customer_id: customer[key].id });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.shop_id).to.equal(shop[key]);
      card[key] = { id: res.body.id, number: res.body.number };
    }
    // A manager: the 'Loyalty manager' role's permissions, working at shop A (base's user shops).
    const role = await t.knex('core_roles').whereNull('company_id').where({ name: 'Loyalty manager' }).first('id');
    const permissions = (await t.knex('core_role_permissions').where({ role_id: role.id })).map((r: { permission: string }) => r.permission);
    const user = await t.createUser({ permissions, companyIds: [companyId] });
    manager = { ...user, token: await t.token(user.email) };
    const set = await api().put(`/api/v1/base/users/${user.id}/shops`).set(bearer(admin)).send({ shop_ids: [shop.A] });
    expect(set.status, JSON.stringify(set.body)).to.equal(200);
    expect(set.body).to.deep.equal({ shop_ids: [shop.A] });
  });

  it("base keeps a user's shops: read back, refused for another company's shop and without core.user.manage", async () => {
    const read = await api().get(`/api/v1/base/users/${manager.id}/shops`).set(bearer(admin));
    expect(read.body).to.deep.equal({ shop_ids: [shop.A] });
    const other = await t.container.get<UserShopService>(BASE.UserShops).shopsOf((await t.contextFor(manager.id, companyId)).db, manager.id, companyId);
    expect(other).to.deep.equal([shop.A]);
    const bad = await api().put(`/api/v1/base/users/${manager.id}/shops`).set(bearer(admin)).send({ shop_ids: [999_999_999] });
    expect(bad.status).to.equal(422);
    expect(bad.body.error.fields).to.have.property('shop_ids');
    const refused = await api().put(`/api/v1/base/users/${manager.id}/shops`).set(bearer(manager.token)).send({ shop_ids: [shop.B] });
    expect(refused.status).to.equal(403);
  });

  it("cannot read, find or scan a card of shop B's customer, and nothing of it leaks", async () => {
    const answers = [
      await api().get(`/api/v1/loyalty/cards/${card.B.id}`).set(bearer(manager.token)),
      await api().get(`/api/v1/loyalty/cards/lookup?number=${card.B.number}`).set(bearer(manager.token)),
      await api().get(`/api/v1/loyalty/cards/${card.B.id}/transactions`).set(bearer(manager.token)),
      await api().post(`/api/v1/loyalty/cards/${card.B.id}/transactions`).set(bearer(manager.token)).send({ key: uniq('tap-'), action: 'stamp', amount: 3000 }),
      await api().patch(`/api/v1/loyalty/cards/${card.B.id}`).set(bearer(manager.token)).send({ status: 'blocked' }),
    ];
    for (const res of answers) {
      expect(res.status, JSON.stringify(res.body)).to.equal(404);
      expect(JSON.stringify(res.body)).to.not.contain(card.B.number).and.not.contain(customer.B.last_name);
    }
    const after = await api().get(`/api/v1/loyalty/cards/${card.B.id}`).set(bearer(admin));
    expect(after.body).to.include({ stamps: 0, status: 'active' });
    const list = await api().get('/api/v1/loyalty/cards').set(bearer(manager.token));
    expect(list.body.data.map((c: any) => c.id)).to.deep.equal([card.A.id]);
    const otherShop = await api().get(`/api/v1/loyalty/cards?shop_id=${shop.B}`).set(bearer(manager.token));
    expect(otherShop.body.data).to.deep.equal([]);
    const holders = await api().get('/api/v1/loyalty/card-holders').set(bearer(manager.token));
    expect(holders.body.data.map((h: any) => h.card_id)).to.deep.equal([card.A.id]);
    const link = await api().get(`/api/v1/loyalty/cards/${card.B.id}/referral-link`).set(bearer(manager.token));
    expect(link.status).to.equal(404);
    // The back office's list shows everything to a user who holds loyalty.card.all_shops.
    const all = await api().get('/api/v1/loyalty/cards').set(bearer(admin));
    expect(all.body.data.map((c: any) => c.id)).to.include.members([card.A.id, card.B.id]);
  });

  it("reads and scans shop A's card; the transaction is recorded at shop A, another shop is refused", async () => {
    const read = await api().get(`/api/v1/loyalty/cards/${card.A.id}`).set(bearer(manager.token));
    expect(read.status).to.equal(200);
    const found = await api().get(`/api/v1/loyalty/cards/lookup?number=${card.A.number}`).set(bearer(manager.token));
    expect(found.body).to.deep.equal({ id: card.A.id });
    const done = await api().post(`/api/v1/loyalty/cards/${card.A.id}/transactions`).set(bearer(manager.token)).send({ key: uniq('tap-'), action: 'stamp', amount: 3000 });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    expect(done.body).to.include({ shop_id: shop.A, user_id: manager.id });
    expect(done.body.card.stamps).to.equal(3);
    const elsewhere = await api().post(`/api/v1/loyalty/cards/${card.A.id}/transactions`).set(bearer(manager.token)).send({ key: uniq('tap-'), action: 'stamp', amount: 1000, shop_id: shop.B });
    expect(elsewhere.status).to.equal(403);
    expect(elsewhere.body.error.fields).to.have.property('shop_id');
  });

  it("issues cards only to its shops' customers, at its shops", async () => {
    const theirs = await api().post('/api/v1/loyalty/cards').set(bearer(manager.token)).send({ template_id: templateId, customer_id: customer.B.id });
    expect(theirs.status).to.equal(422);
    expect(theirs.body.error.fields.customer_id).to.equal(`customer ${customer.B.id} does not exist`);
    const elsewhere = await api().post('/api/v1/loyalty/cards').set(bearer(manager.token)).send({ template_id: templateId, customer_id: customer.A.id, shop_id: shop.B });
    expect(elsewhere.status).to.equal(422);
    expect(elsewhere.body.error.fields).to.have.property('shop_id');
    const ours = await api().post('/api/v1/loyalty/cards').set(bearer(manager.token)).send({ template_id: templateId, customer_id: customer.A.id });
    expect(ours.status, JSON.stringify(ours.body)).to.equal(201);
    expect(ours.body.shop_id).to.equal(shop.A);
  });

  it("the scanner pages refuse shop B's card and serve shop A's", async () => {
    const agent = await t.login(manager.email, manager.password);
    const find = await agent.get(`/loyalty/scanner/find?number=${card.B.number}`);
    expect(find.status).to.equal(422);
    expect(find.text).to.not.contain(customer.B.last_name);
    const page = await agent.get(`/loyalty/scanner/cards/${card.B.id}`);
    expect(page.status).to.equal(404);
    expect(page.text).to.not.contain(customer.B.last_name);
    const ok = await agent.get(`/loyalty/scanner/cards/${card.A.id}`);
    expect(ok.status).to.equal(200);
    expect(ok.text).to.contain(customer.A.last_name);
    const post = await agent.post(`/loyalty/scanner/cards/${card.B.id}`).type('form').send({ key: uniq('k'), action: 'stamp', amount: '10', _csrf: csrfFrom(ok.text) });
    expect(post.status).to.equal(404);
    expect((await t.knex('loyalty_cards').where({ id: card.B.id }).first('stamps')).stamps).to.equal(0);
  });

  it("imports changes to its shops' cards only, and moves none to another shop", async () => {
    const csv = (number: string, status: string, shopId: number) => `number,status,shop_id\n${number},${status},${shopId}\n`;
    const send = async (body: string) => {
      const res = await api().post('/api/v1/loyalty/cards/import').set(bearer(manager.token)).set('Content-Type', 'text/csv').send(body);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body;
    };
    const theirs = await send(csv(card.B.number, 'blocked', shop.B));
    expect(theirs).to.include({ updated: 0, error_count: 1 });
    expect(theirs.errors[0].field).to.equal('number');
    const moved = await send(csv(card.A.number, 'active', shop.B));
    expect(moved).to.include({ updated: 0, error_count: 1 });
    expect(moved.errors[0].field).to.equal('shop_id');
    expect((await t.knex('loyalty_cards').where({ id: card.B.id }).first('status')).status).to.equal('active');
    const ours = await send(csv(card.A.number, 'blocked', shop.A));
    expect(ours).to.include({ updated: 1, error_count: 0 });
    await api().patch(`/api/v1/loyalty/cards/${card.A.id}`).set(bearer(admin)).send({ status: 'active' }).expect(200);
  });

  it("counts the manager's transactions per manager and shop", async () => {
    const res = await api().get('/api/v1/loyalty/reports/card-managers').set(bearer(admin));
    expect(res.body.data).to.deep.include({ user_id: manager.id, shop_id: shop.A, transactions: 1, customers: 1, rewards: 0 });
    // The page names the shop (base's shops) and, for who may read users, the manager.
    const analyst = await t.createUser({ permissions: ['loyalty.card.analyse', 'core.user.read', 'loyalty.card.all_shops'], companyIds: [companyId] });
    const page = await (await t.login(analyst.email, analyst.password)).get('/loyalty/managers/statistics');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Shop A');
    const name = (await t.knex('core_users').where({ id: manager.id }).first('name')).name;
    expect(page.text).to.contain(name);
  });

  it("the cards dashboard counts only the manager's shops; another shop is refused by name", async () => {
    const mine = await api().get('/api/v1/loyalty/card-dashboard').set(bearer(manager.token));
    expect(mine.status, JSON.stringify(mine.body)).to.equal(200);
    const all = await api().get('/api/v1/loyalty/card-dashboard').set(bearer(admin));
    expect(all.body.totals.issued).to.be.at.least(2);
    const ofA = await api().get(`/api/v1/loyalty/card-dashboard?shop_id=${shop.A}`).set(bearer(admin));
    expect(mine.body.totals).to.deep.equal(ofA.body.totals);
    expect(mine.body.totals.issued).to.be.below(all.body.totals.issued);
    const other = await api().get(`/api/v1/loyalty/card-dashboard?shop_id=${shop.B}`).set(bearer(manager.token));
    expect(other.status).to.equal(403);
    expect(other.body.error.fields).to.have.property('shop_id');
    const page = await api().get('/loyalty/card-dashboard').set(bearer(manager.token)).set('Accept', 'text/html');
    expect(page.status).to.equal(200);
  });
});
