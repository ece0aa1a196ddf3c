import { expect } from 'chai';
import supertest from 'supertest';
import type { TestApp } from 'tessera/testing';
import { companyWorld } from './company-fixtures';
import { CRM, type CustomerGroupService, type CustomerService } from '../../crm/api';
import { bearer, uniq } from './test-helpers';

const DAY = 86_400_000;

/**
 * Five card holders whose figures rank them apart on each axis (so each gets a known quintile), one
 * transaction outside the window, one of another company's cards: the run must score exactly these.
 *   who  last visit  visits  spend   R F M  segment
 *   a    1 day       10      50000   5 5 5  champions
 *   b    5 days       8      40000   4 4 4  champions
 *   c    20 days      1       1000   3 1 1  promising   (+ a 90000 purchase 120 days ago, outside)
 *   d    60 days      6      30000   2 3 3  at_risk
 *   e    80 days      2       2000   1 2 2  lost
 */
describe('loyalty cards: RFM analysis through the job @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let companyId: number;
  let analyst: string;
  let ctx: Awaited<ReturnType<TestApp['contextFor']>>;
  const customers: Record<string, number> = {};
  const api = () => supertest(t.app);

  const visits = async (cardId: number, company: number, daysAgo: number[], amount: number, action = 'stamp') => {
    const now = Date.now();
    await t.knex('loyalty_card_transactions').insert(daysAgo.map((d) => ({
      company_id: company, card_id: cardId, key: uniq('k'), action, quantity: 1, amount, outcome: '{"message":"","card":{}}', created_at: new Date(now - d * DAY - 3_600_000),
    })));
  };

  before(async () => {
    const w = await companyWorld({ name: 'RFM', timezone: 'Europe/Paris', shopName: 'Counter' });
    t = w.t;
    companyId = w.companyId;
    const admin = w.admin;
    ctx = w.ctx;
    const shop = { id: w.shopId };
    const token = await t.token(admin.email);
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(token)).send({ name: uniq('stamp '), type: 'stamp', rules: { stamp_step: 1000, milestones: [{ stamps: 5, reward: 'Coffee' }], life: { kind: 'unlimited' } } });
    expect(tpl.status, JSON.stringify(tpl.body)).to.equal(201);
    const cards: Record<string, number> = {};
    for (const who of ['a', 'b', 'c', 'd', 'e']) {
      customers[who] = (await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: who, last_name: uniq('Rfm'), shop_id: shop.id })).id;
      const card = await api().post('/api/v1/loyalty/cards').set(bearer(token)).send({ template_id: tpl.body.id, customer_id: customers[who] });
      expect(card.status, JSON.stringify(card.body)).to.equal(201);
      cards[who] = card.body.id;
    }
    await visits(cards.a, companyId, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5000);
    await visits(cards.b, companyId, [5, 6, 7, 8, 9, 10, 11, 12], 5000);
    await visits(cards.c, companyId, [20], 1000);
    await visits(cards.c, companyId, [120], 90000);
    await visits(cards.d, companyId, [60, 61, 62, 63, 64, 65], 5000);
    await visits(cards.e, companyId, [80, 81], 1000);
    // A certificate payment is a visit but not spend: e's monetary stays 2000.
    await visits(cards.e, companyId, [85], 7000, 'spend');
    // e's third transaction makes e's visits 3; keep d ahead on visits with 6.
    analyst = await t.token((await t.createUser({ permissions: ['loyalty.card.analyse', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
  });

  it('scores each customer by quintile over the window and stores the run', async () => {
    const started = await api().post('/api/v1/loyalty/rfm-runs').set(bearer(analyst)).send({ window_days: 90 });
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    await t.drainJobs();
    const run = await api().get(`/api/v1/loyalty/rfm-runs/${started.body.id}`).set(bearer(analyst));
    expect(run.status).to.equal(200);
    expect(run.body).to.include({ status: 'done', customers: 5, window_days: 90 });
    // A core job that reported its progress to the end.
    const job = await t.kernel.queue.get(started.body.job_id);
    expect(job).to.include({ name: 'loyalty.rfm', status: 'completed', progress: 100, company_id: companyId });
    const bySegment = Object.fromEntries(run.body.segments.map((s: { segment: string; customers: number }) => [s.segment, s.customers]));
    expect(bySegment).to.include({ champions: 2, promising: 1, at_risk: 1, lost: 1, loyal: 0 });
    const champions = await api().get(`/api/v1/loyalty/rfm-runs/${started.body.id}/segments/champions`).set(bearer(analyst));
    expect(champions.body.data.map((m: { customer_id: number }) => m.customer_id)).to.deep.equal([customers.a, customers.b]);
    expect(champions.body.data[0]).to.include({ recency_days: 1, frequency: 10, monetary: 50000, r: 5, f: 5, m: 5 });
    expect(champions.body.data[1]).to.include({ recency_days: 5, frequency: 8, monetary: 40000, r: 4, f: 4, m: 4 });
    const promising = await api().get(`/api/v1/loyalty/rfm-runs/${started.body.id}/segments/promising`).set(bearer(analyst));
    expect(promising.body.data).to.have.length(1);
    expect(promising.body.data[0]).to.include({ customer_id: customers.c, recency_days: 20, frequency: 1, monetary: 1000, r: 3, f: 1, m: 1 });
    const lost = await api().get(`/api/v1/loyalty/rfm-runs/${started.body.id}/segments/lost`).set(bearer(analyst));
    expect(lost.body.data[0]).to.include({ customer_id: customers.e, recency_days: 80, frequency: 3, monetary: 2000, r: 1, f: 2, m: 2 });
  });

  it('saves a segment as a crm by-customer group in one call', async () => {
    const started = await api().post('/api/v1/loyalty/rfm-runs').set(bearer(analyst)).send({ window_days: 90 });
    await t.drainJobs();
    const saved = await api().post(`/api/v1/loyalty/rfm-runs/${started.body.id}/segments/champions/group`).set(bearer(analyst)).send({ name: 'Best card holders' });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(201);
    expect(saved.body).to.include({ name: 'Best card holders', type: 'customer' });
    const groups = t.container.get<CustomerGroupService>(CRM.CustomerGroups);
    const members = await groups.members(ctx, saved.body.id, { limit: 10 });
    expect(members.data.map((m) => m.id).sort((x, y) => x - y)).to.deep.equal([customers.a, customers.b].sort((x, y) => x - y));
  });

  it('refuses a window out of range naming the field, and hides runs from another company', async () => {
    const bad = await api().post('/api/v1/loyalty/rfm-runs').set(bearer(analyst)).send({ window_days: 0 });
    expect(bad.status).to.equal(422);
    expect(JSON.stringify(bad.body.error)).to.match(/window_days/);
    const started = await api().post('/api/v1/loyalty/rfm-runs').set(bearer(analyst)).send({ window_days: 30 });
    const outsider = await t.token((await t.createUser({ permissions: ['loyalty.card.analyse', 'loyalty.card.all_shops'], companyIds: [t.otherCompanyId] })).email);
    const hidden = await api().get(`/api/v1/loyalty/rfm-runs/${started.body.id}`).set(bearer(outsider));
    expect(hidden.status).to.equal(404);
    await t.drainJobs();
  });

  it('shows the segments chart and a segment list on the page', async () => {
    const user = await t.createUser({ permissions: ['loyalty.card.analyse', 'loyalty.card.all_shops'], companyIds: [companyId] });
    const agent = await t.login(user.email, user.password);
    const page = await agent.get('/loyalty/rfm?segment=champions');
    expect(page.status).to.equal(200);
    expect(page.text).to.match(/data-status="done"/);
    expect(page.text).to.contain('data-chart=');
    expect(page.text).to.contain(`/crm/customers/${customers.a}`);
    expect(page.text).to.contain('Save as customer group');
  });

  it('needs loyalty.card.all_shops besides analyse: a run covers every shop', async () => {
    const user = await t.createUser({ permissions: ['loyalty.card.analyse'], companyIds: [companyId] });
    const token = await t.token(user.email);
    const started = await api().post('/api/v1/loyalty/rfm-runs').set(bearer(token)).send({ window_days: 30 });
    expect(started.status).to.equal(403);
    const latest = await api().post('/api/v1/loyalty/rfm-runs').set(bearer(analyst)).send({ window_days: 30 });
    await t.drainJobs();
    for (const path of [`/api/v1/loyalty/rfm-runs/${latest.body.id}`, `/api/v1/loyalty/rfm-runs/${latest.body.id}/segments/champions`]) {
      expect((await api().get(path).set(bearer(token))).status, path).to.equal(403);
    }
    expect((await api().post(`/api/v1/loyalty/rfm-runs/${latest.body.id}/segments/champions/group`).set(bearer(token)).send({})).status).to.equal(403);
    const page = await (await t.login(user.email, user.password)).get('/loyalty/rfm');
    expect(page.status).to.equal(403);
    expect(page.text).to.not.contain(`/crm/customers/${customers.a}`);
  });
});
