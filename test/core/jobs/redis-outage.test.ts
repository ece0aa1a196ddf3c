import crypto from 'node:crypto';
import { expect } from 'chai';
import supertest from 'supertest';
import type { Kernel } from '../../../core/kernel/kernel';
import { ADMIN, bootOn, closeKernel, login, type TestAgent } from '../../support/harness';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { startRedisServer, type TestRedis } from '../../support/redis-server';

/** A request that has not answered by then counts as hanging. */
const ANSWER_WITHIN_MS = 4000;

/**
 * Redis taken away and Redis emptied, on a redis-server of this test's own. Whatever the queue does,
 * pages and API calls answer within seconds; work the database says is queued reaches the queue again
 * and runs exactly once.
 */
describe('the job queue when Redis goes away or loses its data', function () {
  this.timeout(120_000);
  const instanceName = `outage-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  let redis: TestRedis;
  let database: TestDatabase;
  let web: Kernel;
  let worker: Kernel | null = null;
  let agent: TestAgent;
  let token: string;
  let shopCode: string;

  const boot = (runJobs: boolean) => bootOn(database, { kernel: { runJobs, config: { redisUrl: redis.url, instanceName } } });
  const api = () => supertest(web.http().app);
  const bearer = () => ({ Authorization: `Bearer ${token}`, Accept: 'application/json' });
  const csv = (prefix: string, rows: number) => ['code,first_name,last_name,shop', ...Array.from({ length: rows }, (_, i) => `${prefix}-${i},F${i},L${i},${shopCode}`)].join('\n');
  const postImport = (body: string, query: Record<string, unknown> = { async: true }) =>
    api().post('/api/v1/crm/customers/import').query(query).set(bearer()).set('Content-Type', 'text/csv').send(body).timeout(ANSWER_WITHIN_MS);
  const importOf = async (id: number) => (await api().get(`/api/v1/crm/imports/${id}`).set(bearer()).timeout(ANSWER_WITHIN_MS).expect(200)).body;
  const customersWith = async (prefix: string) => Number((await web.knex('crm_customers').where('code', 'like', `${prefix}-%`).count({ n: '*' }).first())!.n);
  const importRuns = async (id: number) => Number((await web.knex('core_audit_log').where({ record_table: 'core_imports', record_id: id, action: 'import' }).count({ n: '*' }).first())!.n);
  const ledger = (jobId: string) => web.knex('core_jobs').where({ id: jobId }).first();
  const bullJobKeys = (jobId: string) => redis.client().keys(`tessera:${instanceName}:jobs:${jobId}-*`);
  const startWorker = async () => {
    worker = await boot(true);
    await worker.startJobs();
  };
  const stopWorker = async () => {
    await worker?.close();
    worker = null;
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const queueAnswers = () => until('the web process sees Redis again', async () => web.queue.state().reachable);

  before(async () => {
    redis = await startRedisServer();
    database = await createTestDatabase();
    web = await boot(false);
    const admin = await web.knex('core_users').where({ email: ADMIN.email }).first();
    token = (await web.tokens.createFor(Number(admin.id), 'outage test')).token;
    shopCode = (await web.knex('base_shops').orderBy('id').first()).code;
    agent = await login(web.http().app, ADMIN.email, ADMIN.password);
    await queueAnswers();
  });
  after(async () => {
    await stopWorker().catch(() => undefined);
    await closeKernel(web).catch(() => undefined);
    await redis.close();
    await database.drop();
  });

  it('answers every page and API call within seconds while Redis is down: 503 where the queue is needed', async () => {
    const preview = await postImport(csv(`PV${crypto.randomBytes(2).toString('hex')}`, 3), { async: true, dry_run: true }).expect(202);
    await until('the preview reached Redis', async () => (await bullJobKeys(preview.body.job_id)).length === 1, 5000);
    await redis.stop();

    const home = await agent.get('/').timeout(ANSWER_WITHIN_MS).expect(200);
    expect(home.text).to.contain('The job queue is unreachable');
    const jobsPage = await agent.get('/admin/jobs').timeout(ANSWER_WITHIN_MS).expect(200);
    expect(jobsPage.text).to.contain(`The job queue is unreachable: Redis at 127.0.0.1:${redis.port} does not answer`);
    expect(jobsPage.text).to.contain(`#${preview.body.job_id}`);

    const health = await api().get('/healthz').timeout(ANSWER_WITHIN_MS).expect(503);
    expect(health.body.down).to.deep.equal(['queue']);
    expect(health.body.queue.error).to.contain(`Redis at 127.0.0.1:${redis.port}`);
    expect(health.body.database.ok).to.equal(true);

    // Queueing needs the queue: a clear 503, and the stored upload says it was not queued.
    const prefix = `DN${crypto.randomBytes(2).toString('hex')}`;
    const refused = await postImport(csv(prefix, 5)).expect(503);
    expect(refused.body.error.code).to.equal('queue_unavailable');
    expect(refused.body.error.message).to.match(/^The job queue is unreachable \(Redis at 127\.0\.0\.1:\d+ does not answer: .+\); nothing was queued\. Try again in a moment\.$/);
    expect(refused.headers['retry-after']).to.equal('5');
    const stored = await web.knex('core_imports').orderBy('id', 'desc').first();
    expect(stored).to.include({ status: 'failed', job_id: null });
    expect(stored.failure).to.contain('The job queue is unreachable');
    const runRefused = await api().post(`/api/v1/crm/imports/${preview.body.id}/run`).set(bearer()).timeout(ANSWER_WITHIN_MS).expect(503);
    expect(runRefused.body.error.code).to.equal('queue_unavailable');
    expect((await importOf(preview.body.id)).status).to.equal('preview_queued');
    const form = await agent.post('/crm/customers/import', { csv: csv(`${prefix}F`, 2), match_by: 'auto' }).timeout(ANSWER_WITHIN_MS).expect(503);
    expect(form.text).to.contain('The job queue is unreachable');

    // What does not need the queue works as usual: reading an import, its job's status, a small import.
    expect(await importOf(preview.body.id)).to.include({ job_id: preview.body.job_id });
    const status = await agent.get(`/admin/jobs/${preview.body.job_id}/status`).timeout(ANSWER_WITHIN_MS).expect(200);
    expect(status.body).to.include({ status: 'waiting' });
    const small = await postImport(csv(`${prefix}S`, 2), {}).expect(200);
    expect(small.body).to.include({ status: 'done', created: 2 });
    expect(await customersWith(prefix)).to.equal(0);

    // The preview queued before the outage was never lost: it runs once Redis and a worker are back.
    await redis.start();
    await startWorker();
    await until('the preview ran', async () => (await importOf(preview.body.id)).status === 'previewed');
    await stopWorker();
  });

  it('runs by itself, once, an import Redis lost before a worker took it', async () => {
    await queueAnswers();
    const prefix = `LS${crypto.randomBytes(2).toString('hex')}`;
    const accepted = await postImport(csv(prefix, 40)).expect(202);
    const jobId: string = accepted.body.job_id;
    expect(accepted.body.status).to.equal('import_queued');
    await until('the job reached Redis', async () => (await bullJobKeys(jobId)).length === 1, 5000);

    await redis.client().flushall();
    expect(await bullJobKeys(jobId)).to.deep.equal([]);

    await startWorker();
    await until('the lost import ran', async () => (await importOf(accepted.body.id)).status === 'done');
    expect(await importOf(accepted.body.id)).to.include({ created: 40, error_count: 0 });
    expect(await customersWith(prefix)).to.equal(40);
    expect(await ledger(jobId)).to.include({ status: 'completed', attempts: 1 });
    expect(await importRuns(accepted.body.id)).to.equal(1);
    await stopWorker();
  });

  it('runs an import still queued when asked again after Redis restarted empty, and only once', async () => {
    await queueAnswers();
    const prefix = `RR${crypto.randomBytes(2).toString('hex')}`;
    const accepted = await postImport(csv(prefix, 30)).expect(202);
    const jobId: string = accepted.body.job_id;
    await until('the job reached Redis', async () => (await bullJobKeys(jobId)).length === 1, 5000);

    await redis.stop();
    await redis.start();
    await queueAnswers();
    expect(await bullJobKeys(jobId)).to.deep.equal([]);

    // No relay runs in this web process: only the request hands the job over again.
    const again = await api().post(`/api/v1/crm/imports/${accepted.body.id}/run`).set(bearer()).timeout(ANSWER_WITHIN_MS).expect(202);
    expect(again.body).to.include({ job_id: jobId, status: 'import_queued' });
    expect(await bullJobKeys(jobId)).to.have.length(1);
    await api().post(`/api/v1/crm/imports/${accepted.body.id}/run`).set(bearer()).timeout(ANSWER_WITHIN_MS).expect(202);
    expect(await bullJobKeys(jobId)).to.have.length(1);

    await startWorker();
    await until('the import ran', async () => (await importOf(accepted.body.id)).status === 'done');
    await api().post(`/api/v1/crm/imports/${accepted.body.id}/run`).set(bearer()).timeout(ANSWER_WITHIN_MS).expect(202);
    expect(await customersWith(prefix)).to.equal(30);
    expect(await ledger(jobId)).to.include({ status: 'completed', attempts: 1 });
    expect(await importRuns(accepted.body.id)).to.equal(1);
    await stopWorker();
  });
});
