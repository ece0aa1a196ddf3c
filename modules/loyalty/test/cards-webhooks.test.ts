import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import supertest from 'supertest';
import { startTestApp, type TestApp } from 'tessera/testing';
import { CRM, type CustomerService } from '../../crm/api';
import { verifySignature } from '../cards/reach/webhook-signature';
import { bearer, uniq } from './test-helpers';


interface Received { headers: http.IncomingHttpHeaders; body: string }

/** An integrator's receiver on a free port: answers each request with the next planned status (200 after the plan). */
async function receiver(): Promise<{ url: string; got: Received[]; plan: number[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const plan: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = plan.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks`, got, plan, close: () => new Promise((r) => server.close(() => r())) };
}

describe('loyalty card events and webhooks @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let companyId: number;
  let manager: string;
  let scanner: string;
  let integrator: string;
  let customerId: number;
  let shopId: number;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const secret = 'whsec_' + crypto.randomBytes(16).toString('hex');

  const api = () => supertest(t.app);
  const events = async (name: string, since: number) =>
    (await t.knex('core_outbox').where({ company_id: companyId, event: name }).where('id', '>', since).orderBy('id')).map((r: any) => ({ id: Number(r.id), payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload }));
  /** Runs jobs until `done` holds: a retry waits for its backoff, which one drain does not. */
  const settle = async (done: () => boolean | Promise<boolean>, ms = 20_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      await t.drainJobs(ms);
      if (await done()) return;
      if (Date.now() > deadline) throw new Error('jobs did not settle');
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const lastOutbox = async () => Number((await t.knex('core_outbox').max('id as id').first())?.id ?? 0);

  const allowBefore = process.env.LOYALTY_WEBHOOK_ALLOW_HOSTS;
  before(async () => {
    // The receiver listens on plain http at 127.0.0.1: allowed for the test, as an operator would allow an internal host.
    process.env.LOYALTY_WEBHOOK_ALLOW_HOSTS = '127.0.0.1';
    t = await startTestApp();
    hook = await receiver();
    const now = new Date();
    const code = uniq('W').toUpperCase().slice(0, 10);
    const [id] = await t.knex('core_companies').insert({ code, name: `Hooks ${code}`, currency: 'EUR', timezone: 'Europe/Paris', created_at: now, updated_at: now });
    companyId = Number(id);
    const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [companyId] });
    const ctx = await t.contextFor(admin.id, companyId);
    const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: 'Counter' });
    shopId = shop.id;
    customerId = (await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: 'Noe', last_name: uniq('Hook'), shop_id: shop.id })).id;
    manager = await t.token((await t.createUser({ permissions: ['loyalty.template.manage', 'loyalty.card.issue', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
    scanner = await t.token((await t.createUser({ permissions: ['loyalty.card.scan', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
    integrator = await t.token((await t.createUser({ permissions: ['loyalty.webhook.manage'], companyIds: [companyId] })).email);
  });
  after(async () => {
    if (allowBefore === undefined) delete process.env.LOYALTY_WEBHOOK_ALLOW_HOSTS;
    else process.env.LOYALTY_WEBHOOK_ALLOW_HOSTS = allowBefore;
    await hook?.close();
  });

  const stampCard = async () => {
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(manager)).send({ name: uniq('Stamp '), type: 'stamp', rules: { stamp_step: 1000, milestones: [{ stamps: 2, reward: 'Free tea' }], life: { kind: 'unlimited' } } });
    expect(tpl.status, JSON.stringify(tpl.body)).to.equal(201);
    const card = await api().post('/api/v1/loyalty/cards').set(bearer(manager)).send({ template_id: tpl.body.id, customer_id: customerId });
    expect(card.status, JSON.stringify(card.body)).to.equal(201);
    return card.body as { id: number; number: string; template_id: number };
  };

  it('publishes issued, transaction and reward events in the writer transaction, once per transaction key', async () => {
    const since = await lastOutbox();
    const card = await stampCard();
    const tap = { key: uniq('tap-'), action: 'stamp', amount: 2350 };
    expect((await api().post(`/api/v1/loyalty/cards/${card.id}/transactions`).set(bearer(scanner)).send(tap)).status).to.equal(201);
    expect((await api().post(`/api/v1/loyalty/cards/${card.id}/transactions`).set(bearer(scanner)).send(tap)).status).to.equal(201);
    const reward = await api().post(`/api/v1/loyalty/cards/${card.id}/transactions`).set(bearer(scanner)).send({ key: uniq('r-'), action: 'redeem_reward', milestone: 2 });
    expect(reward.status, JSON.stringify(reward.body)).to.equal(201);
    const issued = await events('loyalty.card.issued', since);
    expect(issued.map((e) => e.payload)).to.deep.equal([{ card_id: card.id, customer_id: customerId, template_id: card.template_id, type: 'stamp', number: card.number, shop_id: shopId }]);
    const moves = await events('loyalty.card.transaction', since);
    expect(moves.map((e) => [e.payload.action, e.payload.quantity])).to.deep.equal([['stamp', 2], ['redeem_reward', moves[1]?.payload.quantity]]);
    const rewards = await events('loyalty.card.reward', since);
    expect(rewards).to.have.length(1);
    expect(rewards[0].payload).to.include({ card_id: card.id, customer_id: customerId, action: 'redeem_reward', transaction_id: reward.body.id });
    expect(rewards[0].payload.message).to.match(/Free tea/);
  });

  it('refuses an endpoint with a bad address or an unknown event, naming the field', async () => {
    const bad = await api().post('/api/v1/loyalty/card-webhooks').set(bearer(integrator)).send({ url: 'ftp:/x', secret, events: ['loyalty.card.issued'] });
    expect(bad.status).to.equal(422);
    expect(bad.body.error.fields).to.have.property('url');
    const unknown = await api().post('/api/v1/loyalty/card-webhooks').set(bearer(integrator)).send({ url: hook.url, secret, events: ['loyalty.card.deleted'] });
    expect(unknown.status).to.equal(422);
    expect(unknown.body.error.fields).to.have.property('events');
    const notAllowed = await api().post('/api/v1/loyalty/card-webhooks').set(bearer(scanner)).send({ url: hook.url, secret, events: ['loyalty.card.issued'] });
    expect(notAllowed.status).to.equal(403);
  });

  it('signs each delivery, retries a 500 with backoff, and delivers each event once', async () => {
    await t.drainJobs(30_000);
    const created = await api().post('/api/v1/loyalty/card-webhooks').set(bearer(integrator)).send({ url: hook.url, secret, events: ['loyalty.card.issued', 'loyalty.card.reward'] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.not.have.property('secret');
    hook.got.length = 0;
    hook.plan.push(500);
    const card = await stampCard();
    await settle(() => hook.got.length >= 2);
    await new Promise((r) => setTimeout(r, 1500));
    await t.drainJobs(30_000);
    // The first try answered 500; the retry delivered it. Transactions are not subscribed: nothing else came.
    expect(hook.got).to.have.length(2);
    const [first, second] = hook.got;
    expect(second.body).to.equal(first.body);
    const body = JSON.parse(second.body);
    expect(body).to.include({ event: 'loyalty.card.issued', company_id: companyId });
    expect(body.data).to.include({ card_id: card.id, number: card.number });
    expect(second.headers['x-tessera-event-id']).to.equal(body.id);
    expect(verifySignature(secret, String(second.headers['x-tessera-signature']), second.body)).to.equal(true);
    expect(verifySignature('another-secret-of-16+', String(second.headers['x-tessera-signature']), second.body)).to.equal(false);
    expect(verifySignature(secret, String(second.headers['x-tessera-signature']), second.body.replace(String(card.id), '999999'))).to.equal(false);

    const log = await api().get(`/api/v1/loyalty/card-webhooks/${created.body.id}/deliveries`).set(bearer(integrator));
    expect(log.status).to.equal(200);
    expect(log.body.data).to.have.length(1);
    expect(log.body.data[0]).to.include({ event: 'loyalty.card.issued', status: 'delivered', attempts: 2, last_status: 200 });

    // The outbox handing the event over again (a worker dying after the post) delivers nothing more.
    const eventId = Number(log.body.data[0].event_id);
    await t.knex('core_outbox').where({ id: eventId }).update({ dispatched_at: null });
    await t.drainJobs(30_000);
    expect(hook.got).to.have.length(2);
    expect((await api().get(`/api/v1/loyalty/card-webhooks/${created.body.id}/deliveries`).set(bearer(integrator))).body.data).to.have.length(1);

    const page = await api().get('/loyalty/card-webhook-deliveries').set({ Authorization: `Bearer ${integrator}` });
    expect(page.status).to.equal(200);
    expect(page.text).to.contain(`evt_${eventId}`);
  });

  it("keeps one company's endpoints and deliveries out of another's reach", async () => {
    const other = await t.token((await t.createUser({ permissions: ['loyalty.webhook.manage'], companyIds: [t.otherCompanyId] })).email);
    const list = await api().get('/api/v1/loyalty/card-webhooks').set(bearer(other));
    expect(list.status).to.equal(200);
    expect(list.body.data.filter((w: any) => w.url === hook.url)).to.have.length(0);
    const mine = await api().get('/api/v1/loyalty/card-webhooks').set(bearer(integrator));
    const id = mine.body.data[0].id;
    expect((await api().get(`/api/v1/loyalty/card-webhooks/${id}/deliveries`).set(bearer(other))).status).to.equal(404);
  });
});
