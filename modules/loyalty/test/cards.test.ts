import { expect } from 'chai';
import supertest from 'supertest';
import type { TestApp } from 'tessera/testing';
import { companyWorld } from './company-fixtures';
import { CRM, type CustomerService } from '../../crm/api';
import { bearer, uniq } from './test-helpers';


describe('loyalty cards: issue and scan @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let t: TestApp;
  let companyId: number;
  let manager: string;
  let scanner: string;
  let customerId: number;

  const api = () => supertest(t.app);
  const template = async (type: string, rules: unknown, extra: Record<string, unknown> = {}) => {
    const res = await api().post('/api/v1/loyalty/card-templates').set(bearer(manager)).send({ name: uniq(`${type} `), type, rules, ...extra });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as number;
  };
  const issue = async (templateId: number) => {
    const res = await api().post('/api/v1/loyalty/cards').set(bearer(manager)).send({ template_id: templateId, customer_id: customerId });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  };
  const scan = (cardId: number, body: Record<string, unknown>) => api().post(`/api/v1/loyalty/cards/${cardId}/transactions`).set(bearer(scanner)).send({ key: uniq('tap-'), ...body });

  before(async () => {
    const w = await companyWorld({ name: 'Cards', timezone: 'Europe/Paris', shopName: 'Counter' });
    t = w.t;
    companyId = w.companyId;
    const admin = w.admin;
    const ctx = w.ctx;
    const shop = { id: w.shopId };
    customerId = (await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: 'Lea', last_name: uniq('Martin'), shop_id: shop.id })).id;
    manager = await t.token((await t.createUser({ permissions: ['loyalty.template.manage', 'loyalty.card.issue', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
    scanner = await t.token((await t.createUser({ permissions: ['loyalty.card.scan', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
  });

  it('refuses a template whose rules do not fit its type, naming the rule', async () => {
    const res = await api().post('/api/v1/loyalty/card-templates').set(bearer(manager)).send({ name: 'Broken', type: 'multipass', rules: { uses: 0 } });
    expect(res.status).to.equal(422);
    expect(res.body.error.fields).to.have.property('rules.uses');
  });

  it('issues a card with a check-digit number, its opening state, and no secret in the API', async () => {
    const pass = await issue(await template('multipass', { uses: 10 }, { validity_kind: 'days', validity_days: 30 }));
    expect(pass.number).to.match(/^\d{9}$/);
    expect(pass).to.include({ type: 'multipass', uses_left: 10, status: 'active' });
    expect(pass).to.not.have.property('secret');
    expect(pass.valid_until).to.be.a('string');
    const gift = await issue(await template('certificate', { amount: 5000 }));
    expect(gift.balance).to.equal(5000);
    const found = await api().get(`/api/v1/loyalty/cards/lookup?number=${gift.number}`).set(bearer(scanner));
    expect(found.body).to.deep.equal({ id: gift.id });
    const typo = gift.number.slice(0, -1) + String((Number(gift.number.slice(-1)) + 1) % 10);
    const wrong = await api().get(`/api/v1/loyalty/cards/lookup?number=${typo}`).set(bearer(scanner));
    expect(wrong.status).to.equal(422);
    expect(wrong.body.error.fields).to.have.property('number');
  });

  it('stamps per 10.00 of a purchase, gives the reward at 5 and carries the rest over', async () => {
    const card = await issue(await template('stamp', { stamp_step: 1000, milestones: [{ stamps: 5, reward: 'Free coffee' }], life: { kind: 'unlimited' } }));
    const first = await scan(card.id, { action: 'stamp', amount: 3490 });
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    expect(first.body.card.stamps).to.equal(3);
    await scan(card.id, { action: 'stamp', amount: 2500 });
    const early = await scan(card.id, { action: 'redeem_reward', milestone: 5 });
    expect(early.status).to.equal(201);
    expect(early.body.card.stamps).to.equal(0);
    expect(early.body.message).to.match(/Free coffee/);
    const none = await scan(card.id, { action: 'redeem_reward', milestone: 5 });
    expect(none.status).to.equal(422);
    expect(none.body.error.fields.milestone).to.match(/needs 5 stamps; the card has 0/);
  });

  it('makes a double tap one transaction: the same key answers the first result', async () => {
    const card = await issue(await template('stamp', { stamp_step: null, milestones: [{ stamps: 8, reward: 'Cake' }], life: { kind: 'unlimited' } }));
    const key = uniq('double-');
    const [a, b] = await Promise.all([scan(card.id, { key, action: 'stamp' }), scan(card.id, { key, action: 'stamp' })]);
    expect([a.status, b.status]).to.deep.equal([201, 201]);
    expect(a.body.id).to.equal(b.body.id);
    const history = await api().get(`/api/v1/loyalty/cards/${card.id}/transactions`).set(bearer(scanner));
    expect(history.body.data).to.have.length(1);
    expect(history.body.data[0].card.stamps).to.equal(1);
    const row = await t.knex('loyalty_cards').where({ id: card.id }).first('stamps');
    expect(Number(row.stamps)).to.equal(1);
  });

  it('redeems a single-use coupon once when eight scanners try at the same moment', async () => {
    const card = await issue(await template('coupon', { reward: '10 % off' }));
    const answers = await Promise.all(Array.from({ length: 8 }, () => scan(card.id, { action: 'redeem' })));
    expect(answers.filter((r) => r.status === 201)).to.have.length(1);
    const refused = answers.filter((r) => r.status !== 201);
    expect(refused.map((r) => r.status)).to.deep.equal(Array(7).fill(409));
    expect(refused[0].body.error.message).to.match(/already redeemed/);
  });

  it('never takes a multipass below zero nor overdraws a certificate, even under concurrent scans', async () => {
    const pass = await issue(await template('multipass', { uses: 3 }));
    const uses = await Promise.all(Array.from({ length: 6 }, () => scan(pass.id, { action: 'use' })));
    expect(uses.filter((r) => r.status === 201)).to.have.length(3);
    expect(Number((await t.knex('loyalty_cards').where({ id: pass.id }).first('uses_left')).uses_left)).to.equal(0);
    const gift = await issue(await template('certificate', { amount: 5000 }));
    const spends = await Promise.all(Array.from({ length: 4 }, () => scan(gift.id, { action: 'spend', amount: 2000 })));
    expect(spends.filter((r) => r.status === 201)).to.have.length(2);
    expect(Number((await t.knex('loyalty_cards').where({ id: gift.id }).first('balance')).balance)).to.equal(1000);
  });

  it('judges cashback on the spend before the purchase and rounds it half-up once', async () => {
    const card = await issue(await template('cashback', { levels: [{ name: 'Bronze', from: 0, rate: 200 }, { name: 'Silver', from: 10000, rate: 500 }] }));
    const first = await scan(card.id, { action: 'purchase', amount: 9975 });
    expect(first.body.amount).to.equal(200); // 2 % of 99.75 = 1.995 → 2.00, still Bronze
    const second = await scan(card.id, { action: 'purchase', amount: 1010 });
    expect(second.body.amount).to.equal(20); // 99.75 spent before: Bronze, 2 % of 10.10 = 0.202 → 0.20
    const third = await scan(card.id, { action: 'purchase', amount: 1010 });
    expect(third.body.amount).to.equal(51); // 109.85 before: Silver, 5 % of 10.10 = 0.505 → 0.51
    expect(third.body.card.balance).to.equal(271);
  });

  it('keeps one company\'s cards out of another\'s reach', async () => {
    const card = await issue(await template('coupon', { reward: 'Gift' }));
    const outsider = await t.token((await t.createUser({ permissions: ['loyalty.card.scan', 'loyalty.card.read', 'loyalty.card.all_shops'], companyIds: [t.otherCompanyId] })).email);
    const res = await api().post(`/api/v1/loyalty/cards/${card.id}/transactions`).set(bearer(outsider)).send({ key: 'x1', action: 'redeem' });
    expect(res.status).to.equal(404);
    const read = await api().get(`/api/v1/loyalty/cards/${card.id}`).set(bearer(outsider));
    expect(read.status).to.equal(404);
  });

  it('lets only scanners scan and only managers issue', async () => {
    const templateId = await template('coupon', { reward: 'Gift' });
    const denied = await api().post('/api/v1/loyalty/cards').set(bearer(scanner)).send({ template_id: templateId, customer_id: customerId });
    expect(denied.status).to.equal(403);
    const card = await issue(templateId);
    const managerScan = await api().post(`/api/v1/loyalty/cards/${card.id}/transactions`).set(bearer(manager)).send({ key: 'm1', action: 'redeem' });
    expect(managerScan.status).to.equal(403);
  });

  it('shows the customer their card on a public page, with its QR code, without signing in', async () => {
    const card = await issue(await template('stamp', { stamp_step: null, milestones: [{ stamps: 6, reward: 'Free croissant' }], life: { kind: 'unlimited' } }, { design: { background: '#224466', foreground: '#fefefe', accent: '#ffcc00' } }));
    await scan(card.id, { action: 'stamp' });
    const { secret } = await t.knex('loyalty_cards').where({ id: card.id }).first('secret');
    const page = await api().get(`/w/${secret}`);
    expect(page.status).to.equal(200);
    expect(page.headers['cache-control']).to.equal('private, no-store');
    expect(page.text).to.contain('1 of 6').and.to.contain('Free croissant').and.to.contain('<svg').and.to.contain(card.number);
    expect(page.text).to.contain(`/w/${secret}/manifest.webmanifest`);
    const css = await api().get(`/w/${secret}/card.css`);
    expect(css.text).to.contain('background:#224466');
    const manifest = JSON.parse((await api().get(`/w/${secret}/manifest.webmanifest`)).text);
    expect(manifest).to.include({ start_url: `/w/${secret}`, display: 'standalone' });
    expect((await api().get(`/w/${secret}/icon.png`)).headers['content-type']).to.equal('image/png');
    expect((await api().get(`/w/${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)).status).to.equal(404);
    expect((await api().get('/w/not-a-secret')).status).to.equal(404);
  });
});
