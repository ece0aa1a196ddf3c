import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import supertest from 'supertest';
import { startTestApp, type TestApp } from 'tessera/testing';
import { checkedAddresses, isPublicAddress, postWebhook, webhookUrlProblem, type Resolve } from '../cards/reach/webhook-url';
import { deliver } from '../cards/reach/webhook-delivery';
import { bearer, uniq } from './test-helpers';

const none = new Set<string>();
const fake = (table: Record<string, string[]>): Resolve => async (host) => (table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('loyalty webhooks: endpoint addresses', () => {
  it('refuses plain http, credentials, internal addresses and names, naming why', () => {
    const refused: Record<string, RegExp> = {
      'http://hooks.example.com/x': /https/,
      'https://user:pw@hooks.example.com/x': /user name or password/,
      'https://token@hooks.example.com/x': /user name or password/,
      'https://10.0.0.5/x': /private/,
      'https://172.20.1.1/x': /private/,
      'https://192.168.1.10/x': /private/,
      'https://127.0.0.1/x': /private/,
      'https://169.254.169.254/latest/meta-data': /private/,
      'https://100.64.0.1/x': /private/,
      'https://0.0.0.0/x': /private/,
      'https://[::1]/x': /private/,
      'https://[fe80::1]/x': /private/,
      'https://[fd00::1]/x': /private/,
      'https://[::ffff:127.0.0.1]/x': /private/,
      'https://[::ffff:a9fe:a9fe]/x': /private/,
      'https://2130706433/x': /private/,
      'https://0x7f.1/x': /private/,
      'https://localhost/x': /internal/,
      'https://api.localhost/x': /internal/,
      'https://intranet/x': /internal/,
      'ftp://hooks.example.com/x': /https/,
      'hooks.example.com/x': /absolute/,
    };
    for (const [url, why] of Object.entries(refused)) expect(webhookUrlProblem(url, none), url).to.match(why);
    for (const url of ['https://hooks.example.com/x', 'https://8.8.8.8/x', 'https://[2606:4700::1111]/x']) expect(webhookUrlProblem(url, none), url).to.equal(null);
  });

  it('lets allow-listed hosts use http and internal addresses, and nothing else', () => {
    const allow = new Set(['127.0.0.1', 'crm.internal']);
    expect(webhookUrlProblem('http://127.0.0.1:8080/hooks', allow)).to.equal(null);
    expect(webhookUrlProblem('https://crm.internal/hooks', allow)).to.equal(null);
    expect(webhookUrlProblem('http://127.0.0.2/hooks', allow)).to.match(/https/);
    expect(webhookUrlProblem('http://user:pw@127.0.0.1/hooks', allow)).to.match(/password/);
  });

  it('judges addresses: public or not', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700::1111']) expect(isPublicAddress(ip), ip).to.equal(true);
    for (const ip of ['10.1.2.3', '127.0.0.1', '169.254.1.1', '172.31.255.255', '192.168.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', '::ffff:10.0.0.1', '::ffff:7f00:1', 'not-an-ip']) {
      expect(isPublicAddress(ip), ip).to.equal(false);
    }
  });

  it('resolves the host at delivery: a name now pointing inside is refused (DNS rebinding), even among public addresses', async () => {
    const dnsNow = fake({ 'hooks.example.com': ['93.184.216.34'], 'rebind.example.com': ['127.0.0.1'], 'mixed.example.com': ['93.184.216.34', '10.0.0.7'], 'meta.example.com': ['169.254.169.254'] });
    expect(await checkedAddresses('hooks.example.com', dnsNow, none)).to.deep.equal([{ address: '93.184.216.34', family: 4 }]);
    for (const host of ['rebind.example.com', 'mixed.example.com', 'meta.example.com']) {
      let error: Error | null = null;
      await checkedAddresses(host, dnsNow, none).catch((e) => (error = e));
      expect(error, host).to.be.an('error');
      expect(error!.message).to.match(/^refused: .* resolves to a private/);
    }
    // The same name, saved while it pointed outside: the post is refused before any connection.
    let refused: Error | null = null;
    await postWebhook('https://rebind.example.com/hooks', '{}', { headers: {}, timeoutMs: 2000, resolve: dnsNow, allow: none }).catch((e) => (refused = e));
    expect(refused!.message).to.match(/^refused:/);
  });

  it('connects to the address it checked, not to a second resolution', async () => {
    const got: string[] = [];
    const server = http.createServer((req, res) => { got.push(String(req.headers.host)); res.end('ok'); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      // 'hooks.allowed.test' exists only in this resolver: the request can reach the server only through it.
      const status = await postWebhook(`http://hooks.allowed.test:${port}/x`, '{"a":1}', { headers: { 'Content-Type': 'application/json' }, timeoutMs: 5000, resolve: fake({ 'hooks.allowed.test': ['127.0.0.1'] }), allow: new Set(['hooks.allowed.test']) });
      expect(status).to.equal(200);
      expect(got).to.deep.equal([`hooks.allowed.test:${port}`]);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('loyalty webhooks: endpoint addresses through the API @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let companyId: number;
  let integrator: string;
  const secret = 'whsec_' + crypto.randomBytes(16).toString('hex');
  const allowBefore = process.env.LOYALTY_WEBHOOK_ALLOW_HOSTS;
  const api = () => supertest(t.app);

  before(async () => {
    process.env.LOYALTY_WEBHOOK_ALLOW_HOSTS = '127.0.0.1';
    t = await startTestApp();
    const now = new Date();
    const code = uniq('U').toUpperCase().slice(0, 10);
    const [id] = await t.knex('core_companies').insert({ code, name: `Urls ${code}`, currency: 'EUR', timezone: 'Europe/Paris', created_at: now, updated_at: now });
    companyId = Number(id);
    integrator = await t.token((await t.createUser({ permissions: ['loyalty.webhook.manage'], companyIds: [companyId] })).email);
  });
  after(() => {
    if (allowBefore === undefined) delete process.env.LOYALTY_WEBHOOK_ALLOW_HOSTS;
    else process.env.LOYALTY_WEBHOOK_ALLOW_HOSTS = allowBefore;
  });

  it('refuses a bad endpoint at creation and on edit with 422 naming url; accepts https and the allow-listed http host', async () => {
    const create = (url: string) => api().post('/api/v1/loyalty/card-webhooks').set(bearer(integrator)).send({ url, secret, events: ['loyalty.card.issued'] });
    for (const url of ['http://hooks.example.com/x', 'https://user:pw@hooks.example.com/x', 'https://10.0.0.5/x', 'https://169.254.169.254/x', 'https://[::1]/x', 'https://localhost/x', 'http://127.0.0.2:9/x']) {
      const res = await create(url);
      expect(res.status, url).to.equal(422);
      expect(res.body.error.fields, url).to.have.property('url');
      expect(JSON.stringify(res.body)).to.not.contain('pw@');
    }
    const good = await create('https://hooks.example.com/loyalty');
    expect(good.status, JSON.stringify(good.body)).to.equal(201);
    const local = await create('http://127.0.0.1:9/hooks');
    expect(local.status, JSON.stringify(local.body)).to.equal(201);
    const edit = await api().patch(`/api/v1/loyalty/card-webhooks/${good.body.id}`).set(bearer(integrator)).send({ url: 'https://192.168.0.10/x' });
    expect(edit.status).to.equal(422);
    expect(edit.body.error.fields).to.have.property('url');
  });

  it('refuses, once and for good, a delivery to an endpoint that now points inside', async () => {
    // An endpoint saved before the rule (or by hand): the delivery judges the address again.
    const now = new Date();
    const [hookId] = await t.knex('loyalty_card_webhooks').insert({ company_id: companyId, url: 'https://localhost:9/hooks', secret, events: '["loyalty.card.issued"]', active: true, created_at: now, updated_at: now });
    const [deliveryId] = await t.knex('loyalty_card_webhook_deliveries').insert({ company_id: companyId, webhook_id: Number(hookId), event_id: 1, event: 'loyalty.card.issued', body: '{}', status: 'pending', attempts: 0, created_at: now });
    const ctx = await t.contextFor((await t.createUser({ permissions: ['loyalty.webhook.manage'], companyIds: [companyId] })).id, companyId);
    expect(await deliver(ctx.db, Number(deliveryId))).to.equal('refused');
    const row = await t.knex('loyalty_card_webhook_deliveries').where({ id: Number(deliveryId) }).first();
    expect(row.status).to.equal('failed');
    expect(row.last_error).to.match(/^refused: the address points to an internal host name/);
  });
});
