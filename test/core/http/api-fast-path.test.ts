import { expect } from 'chai';
import supertest from 'supertest';
import { createHttpApp, type HttpApp } from '../../../core/http/app';
import { httpServicesOf } from '../../../core/kernel/http-services-of';
import { startFixtureApp } from '../../support/fixture-app';
import { startTestApp, type TestApp } from '../../support/harness';

/**
 * The API fast path (core/http/api-fast-path.ts) answers a bearer call without express's middleware.
 * The rule: a client cannot tell. Every request here goes to an app with the fast path and to one
 * without it, on the same kernel, and the answers must match: status, every header (security headers,
 * Content-Type, Content-Length, ETag, Idempotent-Replayed) and the body byte for byte, save what a
 * second write changes (its id and stamps).
 */
type Call = (agent: supertest.SuperTest<supertest.Test>) => supertest.Test;

/** Headers that differ between two answers whatever answers them. */
const TRANSPORT = new Set(['date', 'connection', 'keep-alive']);

function headersOf(res: supertest.Response, leaveOut: string[] = []): Record<string, unknown> {
  return Object.fromEntries(Object.entries(res.headers).filter(([name]) => !TRANSPORT.has(name) && !leaveOut.includes(name)));
}

function withoutVolatile(body: unknown, keys: string[]): unknown {
  if (body === null || typeof body !== 'object') return body;
  return Object.fromEntries(Object.entries(body as Record<string, unknown>).filter(([key]) => !keys.includes(key)));
}

function pair(t: TestApp): { fast: HttpApp; slow: HttpApp; close(): Promise<void> } {
  const fast = createHttpApp(httpServicesOf(t.kernel), { apiFastPath: true });
  const slow = createHttpApp(httpServicesOf(t.kernel), { apiFastPath: false });
  return { fast, slow, close: async () => Promise.all([fast.close(), slow.close()]).then(() => undefined) };
}

/** Asks both apps; `taken` says whether the fast path must have answered (else it must have stepped aside). */
async function expectSameAnswer(apps: { fast: HttpApp; slow: HttpApp }, call: Call, taken: boolean, volatile: string[] = []): Promise<supertest.Response> {
  const before = apps.fast.counts.fastApi;
  const old = await call(supertest(apps.slow.app) as never).ok(() => true);
  const res = await call(supertest(apps.fast.app) as never).ok(() => true);
  expect(apps.fast.counts.fastApi - before, 'requests the fast path answered').to.equal(taken ? 1 : 0);
  expect(apps.slow.counts.fastApi).to.equal(0);
  expect(res.status).to.equal(old.status);
  const leaveOut = volatile.length ? ['etag', 'content-length'] : [];
  expect(headersOf(res, leaveOut)).to.deep.equal(headersOf(old, leaveOut));
  if (volatile.length) expect(withoutVolatile(res.body, volatile)).to.deep.equal(withoutVolatile(old.body, volatile));
  else expect(res.text).to.equal(old.text);
  return res;
}

describe('the API fast path answers exactly as the express path', function () {
  this.timeout(60_000);
  let t: TestApp;
  let apps: ReturnType<typeof pair>;
  let writer: string;
  let reader: string;
  before(async () => {
    t = await startFixtureApp();
    apps = pair(t);
    writer = `Bearer ${await t.token((await t.createUser({ permissions: ['alpha.item.write', 'alpha.item.read'] })).email)}`;
    reader = `Bearer ${await t.token((await t.createUser({ permissions: ['alpha.item.read'] })).email)}`;
    await supertest(apps.slow.app).post('/api/v1/alpha/items').set('Authorization', writer).send({ name: 'first' }).expect(201);
  });
  after(async () => {
    await apps.close();
    await t.close();
  });

  it('lists with the same security headers, JSON, Content-Length and ETag, and 304 for a matching If-None-Match', async () => {
    const res = await expectSameAnswer(apps, (a) => a.get('/api/v1/alpha/items?limit=10').set('Authorization', reader), true);
    expect(res.status).to.equal(200);
    expect(res.headers['content-security-policy']).to.contain("default-src 'self'");
    expect(res.headers.etag).to.match(/^W\//);
    const cached = await expectSameAnswer(apps, (a) => a.get('/api/v1/alpha/items?limit=10').set('Authorization', reader).set('If-None-Match', res.headers.etag), true);
    expect(cached.status).to.equal(304);
    await expectSameAnswer(apps, (a) => a.get('/api/v1/alpha/items/').set('Authorization', reader), true);
    await expectSameAnswer(apps, (a) => a.get('/api/v1/Alpha/items').set('Authorization', reader), true);
  });

  it('creates with the same status, headers and body (save the new row\'s id and stamps)', async () => {
    const res = await expectSameAnswer(apps, (a) => a.post('/api/v1/alpha/items').set('Authorization', writer).send({ name: 'twice' }), true, ['id', 'created_at', 'updated_at']);
    expect(res.status).to.equal(201);
  });

  it('refuses in the same words: unknown token, missing permission, bad input, bad X-Company-Id', async () => {
    for (const [call, status] of [
      [(a) => a.get('/api/v1/alpha/items').set('Authorization', 'Bearer tsr_nope'), 401],
      [(a) => a.post('/api/v1/alpha/items').set('Authorization', reader).send({ name: 'x' }), 403],
      [(a) => a.post('/api/v1/alpha/items').set('Authorization', writer).send({ colour: 'red' }), 422],
      [(a) => a.get('/api/v1/alpha/items?limit=5000').set('Authorization', reader), 422],
      [(a) => a.get('/api/v1/alpha/items?constructor=1').set('Authorization', reader), 422],
      [(a) => a.get('/api/v1/alpha/items').set('Authorization', reader).set('X-Company-Id', 'abc'), 422],
      [(a) => a.get('/api/v1/alpha/items').set('Authorization', reader).set('X-Company-Id', String(t.otherCompanyId)), 403],
    ] as Array<[Call, number]>) {
      const res = await expectSameAnswer(apps, call, true);
      expect(res.status).to.equal(status);
      expect(res.body).to.have.keys('error');
    }
    // `Bearer ` alone arrives as `Bearer` (trailing space is not part of a header value): not a bearer call.
    const bare = await expectSameAnswer(apps, (a) => a.get('/api/v1/alpha/items').set('Authorization', 'Bearer '), false);
    expect(bare.status).to.equal(401);
  });

  it('reads JSON bodies by body-parser\'s rules: invalid or non-object JSON is 400, empty is {}, a byte order mark is dropped, bad UTF-8 replaced', async () => {
    const post = (text: string | Buffer): Call => (a) => a.post('/api/v1/alpha/items').set('Authorization', writer).set('Content-Type', 'application/json').send(text as string);
    for (const [text, status] of [
      ['{"name":', 400],
      ['  5', 400],
      ['"name"', 400],
      ['   ', 400],
      ['', 422],
      ['\ufeff{}', 422],
      [' \n{"name": ""}', 422],
      [Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('x'.repeat(60)), Buffer.from('"}')]), 422],
    ] as Array<[string | Buffer, number]>) {
      const res = await expectSameAnswer(apps, post(text), true);
      expect(res.status, JSON.stringify(String(text))).to.equal(status);
    }
  });

  it('leaves to express what it does not take: other Content-Types, compressed or oversized bodies, OPTIONS, HEAD, unknown routes, sessions', async () => {
    for (const call of [
      (a) => a.post('/api/v1/alpha/items').set('Authorization', writer).set('Content-Type', 'text/plain').send('{"name":"plain"}'),
      (a) => a.post('/api/v1/alpha/items').set('Authorization', writer).set('Content-Type', 'application/json; charset=utf-8').send('{"name":"typed"}'),
      (a) => a.post('/api/v1/alpha/items').set('Authorization', writer).set('Content-Type', 'application/json').set('Content-Encoding', 'identity').send('{"name":"x"}'),
      (a) => a.post('/api/v1/alpha/items').set('Authorization', writer).set('Content-Type', 'application/json').send(`{"name":"${'x'.repeat(2 * 1024 * 1024)}"}`),
      (a) => a.options('/api/v1/alpha/items').set('Authorization', reader),
      (a) => a.head('/api/v1/alpha/items').set('Authorization', reader),
      (a) => a.get('/api/v1/alpha/nowhere').set('Authorization', reader),
      (a) => a.get('/api/v1/nomodule/items').set('Authorization', reader),
      (a) => a.get('/API/v1/alpha/items').set('Authorization', reader),
      (a) => a.get('/api/v1/alpha/items'),
      (a) => a.get('/api/v1/openapi.json').set('Authorization', reader),
    ] as Call[]) {
      await expectSameAnswer(apps, call, false, ['id', 'created_at', 'updated_at']);
    }
  });
});

describe('the API fast path with every module: Idempotency-Key replays across both paths', function () {
  this.timeout(120_000);
  let t: TestApp;
  let apps: ReturnType<typeof pair>;
  let auth: string;
  before(async () => {
    t = await startTestApp({ kernel: {} });
    apps = pair(t);
    auth = `Bearer ${await t.token(t.admin.email)}`;
  });
  after(async () => {
    await apps.close();
    await t.close();
  });

  it('answers the first payment, its replay (Idempotent-Replayed) and a reuse with another body the same way', async () => {
    const shop = await t.knex('base_shops').where({ company_id: t.companyId }).first();
    const customer = await supertest(apps.slow.app).post('/api/v1/crm/customers').set('Authorization', auth).send({ first_name: 'Fast', last_name: 'Path', shop_id: shop.id }).expect(201);
    const journals = await supertest(apps.slow.app).get('/api/v1/billing/journals').set('Authorization', auth).expect(200);
    const journal = journals.body.data.find((j: { code: string; type?: string }) => /cash/i.test(j.code) || j.type === 'cash') ?? journals.body.data[0];
    const payment = (reference: string, amount = 100) => ({ customer_id: customer.body.id, journal_id: journal.id, amount, method: 'cash', reference });
    const pay = (key: string, body: object): Call => (a) => a.post('/api/v1/billing/payments').set('Authorization', auth).set('Idempotency-Key', key).send(body);
    // The first of each pair is a new payment: the express path's and the fast path's differ only by id and stamps.
    await expectSameAnswer(apps, (a) => a.post('/api/v1/billing/payments').set('Authorization', auth).send(payment(`fp-${Date.now()}-${Math.random()}`)), true, ['id', 'created_at', 'updated_at', 'paid_at', 'reference', 'number']);
    const first = await supertest(apps.fast.app).post('/api/v1/billing/payments').set('Authorization', auth).set('Idempotency-Key', 'fast-path-key').send(payment('fp-key'));
    expect(first.status).to.be.oneOf([200, 201]);
    const replay = await expectSameAnswer(apps, pay('fast-path-key', payment('fp-key')), true);
    expect(replay.headers['idempotent-replayed']).to.equal('true');
    expect(replay.body.id).to.equal(first.body.id);
    const reused = await expectSameAnswer(apps, pay('fast-path-key', payment('fp-key', 200)), true);
    expect(reused.status).to.equal(422);
    await expectSameAnswer(apps, (a) => a.get(`/api/v1/billing/customers/${customer.body.id}/balance`).set('Authorization', auth), true);
    await expectSameAnswer(apps, (a) => a.get(`/api/v1/billing/customers/${customer.body.id}%E0%A4%A/balance`).set('Authorization', auth), false);
  });
});
