import { expect } from 'chai';
import supertest from 'supertest';
import { addCalendarDays, dayIn } from 'tessera/core';
import { startTestApp, type TestApp } from 'tessera/testing';
import { CRM, type CustomerService } from '../../crm/api';
import { bearer, uniq } from './test-helpers';


describe('loyalty cards dashboard @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  let t: TestApp;
  let companyId: number;
  let manager: string;
  let scanner: string;
  let reader: string;
  const shops: number[] = [];
  const cards: number[] = [];
  const today = dayIn(new Date(), 'Asia/Tokyo');
  const api = () => supertest(t.app);
  const scan = (card: number, body: object) => api().post(`/api/v1/loyalty/cards/${card}/transactions`).set(bearer(scanner)).send({ key: uniq('k-'), ...body });

  before(async () => {
    t = await startTestApp();
    const now = new Date();
    const code = uniq('D').toUpperCase().slice(0, 10);
    // A zone far from UTC: days are the company's, not the server's.
    const [id] = await t.knex('core_companies').insert({ code, name: `Dash ${code}`, currency: 'EUR', timezone: 'Asia/Tokyo', created_at: now, updated_at: now });
    companyId = Number(id);
    const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [companyId] });
    const ctx = await t.contextFor(admin.id, companyId);
    for (const name of ['North', 'South']) shops.push((await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name })).id);
    manager = await t.token((await t.createUser({ permissions: ['loyalty.template.manage', 'loyalty.card.issue', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
    scanner = await t.token((await t.createUser({ permissions: ['loyalty.card.scan', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
    reader = await t.token((await t.createUser({ permissions: ['loyalty.card.read', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(manager)).send({ name: uniq('D '), type: 'stamp', rules: { stamp_step: 1000, milestones: [{ stamps: 2, reward: 'Cake' }], life: { kind: 'unlimited' } } });
    for (const shop of shops) {
      const customer = await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: 'D', last_name: uniq('Dash'), shop_id: shop });
      cards.push((await api().post('/api/v1/loyalty/cards').set(bearer(manager)).send({ template_id: tpl.body.id, customer_id: customer.id, shop_id: shop })).body.id);
    }
    await t.knex('loyalty_cards').where({ id: cards[0] }).update({ installed_at: new Date() });
    // South's card was seen three days ago (a row as the scanner writes it).
    await t.knex('loyalty_card_transactions').insert({ company_id: companyId, card_id: cards[1], key: uniq('old-'), action: 'stamp', quantity: 0, amount: 700, outcome: JSON.stringify({ message: 'old', card: {} }), shop_id: shops[1], created_at: new Date(Date.now() - 3 * 86_400_000) });
    expect((await scan(cards[0], { action: 'stamp', amount: 2500, shop_id: shops[0] })).status).to.equal(201);
    expect((await scan(cards[0], { action: 'stamp', amount: 1000, shop_id: shops[0] })).status).to.equal(201);
    expect((await scan(cards[0], { action: 'redeem_reward', milestone: 2, shop_id: shops[0] })).status).to.equal(201);
    expect((await scan(cards[1], { action: 'stamp', amount: 500, shop_id: shops[1] })).status).to.equal(201);
  });

  it('counts issued, installed, transactions, returning customers, rewards and revenue by the company\'s day', async () => {
    const res = await api().get(`/api/v1/loyalty/card-dashboard?from=${addCalendarDays(today, -6)}&to=${today}`).set(bearer(reader));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const day = (d: string) => res.body.days.find((x: any) => x.day === d);
    expect(day(today)).to.deep.equal({ day: today, issued: 2, installed: 1, transactions: 4, returning: 1, rewards: 1, revenue: 4000 });
    expect(day(addCalendarDays(today, -3))).to.include({ transactions: 1, revenue: 700, returning: 0 });
    expect(res.body.totals).to.deep.equal({ issued: 2, installed: 1, transactions: 5, returning: 1, rewards: 1, revenue: 4700 });
  });

  it('narrows to one shop', async () => {
    const res = await api().get(`/api/v1/loyalty/card-dashboard?from=${today}&to=${today}&shop_id=${shops[0]}`).set(bearer(reader));
    expect(res.body.totals).to.deep.equal({ issued: 1, installed: 1, transactions: 3, returning: 0, rewards: 1, revenue: 3500 });
  });

  it('draws the page with its charts and fills a home widget', async () => {
    const page = await api().get('/loyalty/card-dashboard').set({ Authorization: `Bearer ${reader}` });
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('card-activity-chart').and.to.contain('data-chart=');
    expect(page.text).to.contain('2 cards issued, 1 installed, 5 transactions');
    const home = await api().get('/').set({ Authorization: `Bearer ${reader}` });
    expect(home.text).to.contain('data-test="card-widget"');
    expect(home.text).to.match(/2 issued · 1 installed · 5 transactions · 1 rewards/);
    const other = await t.token((await t.createUser({ permissions: ['loyalty.card.read', 'loyalty.card.all_shops'], companyIds: [t.otherCompanyId] })).email);
    const theirs = await api().get(`/api/v1/loyalty/card-dashboard?from=${today}&to=${today}`).set(bearer(other));
    expect(theirs.body.totals.issued).to.equal(0);
  });
});
