import { expect } from 'chai';
import supertest from 'supertest';
import { csrfFrom, type TestApp } from 'tessera/testing';
import { BASE } from '../../base/api';
import { CRM, type CustomerService } from '../../crm/api';
import * as allShops from '../migrations/008_card_all_shops';
import { companyWorld } from './company-fixtures';
import { bearer, uniq } from './test-helpers';

const ALL_SHOPS = 'loyalty.card.all_shops';

/**
 * Deny by default: reaching every shop's cards is `loyalty.card.all_shops`, held by owners and admins;
 * a user with the 'Loyalty manager' role whose shops were never set reaches no card at all.
 */
describe('loyalty cards: deny by default for users of no shop @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let companyId: number;
  let admin: string;
  let bare: { id: number; email: string; password: string; token: string };
  let templateId: number;
  const shop: Record<'A' | 'B', number> = { A: 0, B: 0 };
  const customer: Record<'A' | 'B', { id: number; last_name: string }> = { A: { id: 0, last_name: '' }, B: { id: 0, last_name: '' } };
  const card: Record<'A' | 'B', { id: number; number: string }> = { A: { id: 0, number: '' }, B: { id: 0, number: '' } };
  let managerPermissions: string[];
  const api = () => supertest(t.app);

  before(async () => {
    const w = await companyWorld({ timezone: 'Europe/Paris' });
    t = w.t;
    companyId = w.companyId;
    admin = await t.token(w.admin.email);
    shop.A = w.shopId;
    shop.B = (await t.container.get<any>(BASE.ShopService).create(w.ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: 'Shop B' })).id;
    for (const key of ['A', 'B'] as const) {
      const last = uniq(`Nobody${key}`);
      customer[key] = { id: (await t.container.get<CustomerService>(CRM.Customers).create(w.ctx, { first_name: 'Ada', last_name: last, shop_id: shop[key] })).id, last_name: last };
    }
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(admin)).send({ name: uniq('stamp '), type: 'stamp', rules: { stamp_step: 1000, milestones: [{ stamps: 5, reward: 'Coffee' }], life: { kind: 'unlimited' } } });
    templateId = tpl.body.id;
    for (const key of ['A', 'B'] as const) {
      const res = await api().post('/api/v1/loyalty/cards').set(bearer(admin)).send({ template_id: templateId, customer_id: customer[key].id });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      card[key] = { id: res.body.id, number: res.body.number };
      const scan = await api().post(`/api/v1/loyalty/cards/${res.body.id}/transactions`).set(bearer(admin)).send({ key: uniq('tap-'), action: 'stamp', amount: 2000, shop_id: shop[key] });
      expect(scan.status, JSON.stringify(scan.body)).to.equal(201);
    }
    // The 'Loyalty manager' role template's permissions, and shops never set.
    const role = await t.knex('core_roles').whereNull('company_id').where({ name: 'Loyalty manager' }).first('id');
    managerPermissions = (await t.knex('core_role_permissions').where({ role_id: role.id })).map((r: { permission: string }) => r.permission);
    const user = await t.createUser({ permissions: [...managerPermissions, 'loyalty.card.analyse'], companyIds: [companyId] });
    bare = { ...user, token: await t.token(user.email) };
  });

  it('the owner template holds loyalty.card.all_shops, the manager template does not; the migration takes it back', async () => {
    expect(managerPermissions).to.include('loyalty.card.scan').and.not.include(ALL_SHOPS);
    const owner = await t.knex('core_roles').whereNull('company_id').where({ name: 'Loyalty owner' }).first('id');
    const held = (await t.knex('core_role_permissions').where({ role_id: owner.id })).map((r: { permission: string }) => r.permission);
    expect(held).to.include(ALL_SHOPS).and.include('loyalty.card.scan');
    // Down, inside a transaction rolled back: the template and every grant of the permission go.
    const rollback = new Error('rollback');
    await t.knex.transaction(async (trx) => {
      await allShops.down(trx);
      expect(await trx('core_roles').whereNull('company_id').where({ name: 'Loyalty owner' }).first('id')).to.equal(undefined);
      expect(await trx('core_role_permissions').where({ permission: ALL_SHOPS }).first('role_id')).to.equal(undefined);
      await allShops.up(trx);
      expect(await trx('core_roles').whereNull('company_id').where({ name: 'Loyalty owner' }).first('id')).to.not.equal(undefined);
      throw rollback;
    }).catch((error) => { if (error !== rollback) throw error; });
  });

  it('reads, finds and scans no card, and nothing of one leaks', async () => {
    const answers = [
      await api().get(`/api/v1/loyalty/cards/${card.A.id}`).set(bearer(bare.token)),
      await api().get(`/api/v1/loyalty/cards/lookup?number=${card.A.number}`).set(bearer(bare.token)),
      await api().get(`/api/v1/loyalty/cards/${card.A.id}/transactions`).set(bearer(bare.token)),
      await api().post(`/api/v1/loyalty/cards/${card.A.id}/transactions`).set(bearer(bare.token)).send({ key: uniq('tap-'), action: 'stamp', amount: 3000 }),
      await api().post(`/api/v1/loyalty/cards/${card.A.id}/transactions`).set(bearer(bare.token)).send({ key: uniq('tap-'), action: 'stamp', amount: 3000, shop_id: shop.A }),
      await api().patch(`/api/v1/loyalty/cards/${card.A.id}`).set(bearer(bare.token)).send({ status: 'blocked' }),
      await api().get(`/api/v1/loyalty/cards/${card.A.id}/referral-link`).set(bearer(bare.token)),
    ];
    for (const res of answers) {
      expect(res.status, JSON.stringify(res.body)).to.equal(404);
      expect(JSON.stringify(res.body)).to.not.contain(card.A.number).and.not.contain(customer.A.last_name);
    }
    expect((await t.knex('loyalty_cards').where({ id: card.A.id }).first('stamps', 'status'))).to.deep.include({ stamps: 2, status: 'active' });
    expect((await api().get('/api/v1/loyalty/cards').set(bearer(bare.token))).body.data).to.deep.equal([]);
    expect((await api().get(`/api/v1/loyalty/cards?shop_id=${shop.A}`).set(bearer(bare.token))).body.data).to.deep.equal([]);
    expect((await api().get('/api/v1/loyalty/card-holders').set(bearer(bare.token))).body.data).to.deep.equal([]);
    const all = await api().get('/api/v1/loyalty/cards').set(bearer(admin));
    expect(all.body.data.map((c: { id: number }) => c.id)).to.include.members([card.A.id, card.B.id]);
  });

  it('issues no card: every customer reads as missing', async () => {
    const res = await api().post('/api/v1/loyalty/cards').set(bearer(bare.token)).send({ template_id: templateId, customer_id: customer.A.id });
    expect(res.status).to.equal(422);
    expect(res.body.error.fields.customer_id).to.equal(`customer ${customer.A.id} does not exist`);
  });

  it('the scanner, the cards list, its CSV export and the import show and change nothing', async () => {
    const agent = await t.login(bare.email, bare.password);
    const find = await agent.get(`/loyalty/scanner/find?number=${card.A.number}`);
    expect(find.status).to.equal(422);
    expect(find.text).to.not.contain(customer.A.last_name);
    expect((await agent.get(`/loyalty/scanner/cards/${card.A.id}`)).status).to.equal(404);
    const scanner = await agent.get('/loyalty/scanner');
    const post = await agent.post(`/loyalty/scanner/cards/${card.A.id}`).type('form').send({ key: uniq('k'), action: 'stamp', amount: '10', _csrf: csrfFrom(scanner.text) });
    expect(post.status).to.equal(404);
    const list = await agent.get('/loyalty/cards');
    expect(list.status).to.equal(200);
    expect(list.text).to.not.contain(card.A.number).and.not.contain(card.B.number);
    const csv = await agent.get('/loyalty/cards/export.csv');
    expect(csv.status).to.equal(200);
    expect(csv.text.trim().split('\n')).to.have.length(1);
    const imported = await api().post('/api/v1/loyalty/cards/import').set(bearer(bare.token)).set('Content-Type', 'text/csv').send(`number,status\n${card.A.number},blocked\n`);
    expect(imported.status, JSON.stringify(imported.body)).to.equal(200);
    expect(imported.body).to.include({ updated: 0, error_count: 1 });
    expect((await t.knex('loyalty_cards').where({ id: card.A.id }).first('status')).status).to.equal('active');
  });

  it("the dashboard, the home widget and the statistics count nothing of any shop", async () => {
    const mine = await api().get('/api/v1/loyalty/card-dashboard').set(bearer(bare.token));
    expect(mine.status).to.equal(200);
    expect(mine.body.totals).to.deep.equal({ issued: 0, installed: 0, transactions: 0, returning: 0, rewards: 0, revenue: 0 });
    const theirs = await api().get('/api/v1/loyalty/card-dashboard').set(bearer(admin));
    expect(theirs.body.totals).to.include({ issued: 2, transactions: 2 });
    const picked = await api().get(`/api/v1/loyalty/card-dashboard?shop_id=${shop.A}`).set(bearer(bare.token));
    expect(picked.status).to.equal(403);
    expect(picked.body.error.fields).to.have.property('shop_id');
    const home = await api().get('/').set({ Authorization: `Bearer ${bare.token}` });
    expect(home.text).to.contain('data-test="card-widget"').and.match(/0 issued · 0 installed · 0 transactions/);
    const ownerHome = await api().get('/').set({ Authorization: `Bearer ${admin}` });
    expect(ownerHome.text).to.match(/2 issued · 0 installed · 2 transactions/);
    const stats = await api().get('/api/v1/loyalty/reports/card-managers').set(bearer(bare.token));
    expect(stats.status).to.equal(200);
    expect(stats.body.data).to.deep.equal([]);
    expect((await api().get('/api/v1/loyalty/reports/card-managers').set(bearer(admin))).body.data).to.have.length(2);
  });

  it('holding loyalty.card.all_shops reaches every shop, shops given or not', async () => {
    const user = await t.createUser({ permissions: [...managerPermissions, ALL_SHOPS], companyIds: [companyId] });
    const token = await t.token(user.email);
    await api().put(`/api/v1/base/users/${user.id}/shops`).set(bearer(admin)).send({ shop_ids: [shop.A] }).expect(200);
    const list = await api().get('/api/v1/loyalty/cards').set(bearer(token));
    expect(list.body.data.map((c: { id: number }) => c.id)).to.include.members([card.A.id, card.B.id]);
    expect((await api().get(`/api/v1/loyalty/cards/${card.B.id}`).set(bearer(token))).status).to.equal(200);
  });
});
