import { expect } from 'chai';
import { bootOn, closeKernel } from '../../support/harness';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { FIXTURE_MODULES } from '../../support/fixture-app';
import type { Kernel } from '../../../core/kernel/kernel';
import { JobLedger } from '../../../core/jobs/job-ledger';
import { JobRunner } from '../../../core/jobs/job-runner';
import { ForbiddenError } from '../../../core/errors';

/**
 * The job ledger under the queue: what makes a job durable and run once, whichever backend carries it.
 * Runners are driven by hand here, standing for worker processes; the kernel runs no jobs of its own.
 */
describe(`job ledger (${process.env.REDIS_URL ? 'bull on Redis' : 'in-process on the database'})`, () => {
  let database: TestDatabase;
  let kernel: Kernel;
  let ledger: JobLedger;
  const runs: Record<string, number> = {};
  const runner = (leaseMs = 30_000) => new JobRunner(ledger, kernel.jobs, kernel.logger, leaseMs);
  const row = (id: string) => kernel.knex('core_jobs').where({ id }).first();

  before(async () => {
    database = await createTestDatabase();
    kernel = await bootOn(database, { kernel: { modulesDir: FIXTURE_MODULES, runJobs: false } });
    kernel.jobs.define('ledger.count', async (job) => {
      runs[job.data.key] = (runs[job.data.key] ?? 0) + 1;
      await new Promise((r) => setTimeout(r, 50));
      return { company: job.companyId, user: job.userId };
    }, 2);
    kernel.jobs.define('ledger.broken', async (job) => {
      runs[job.data.key] = (runs[job.data.key] ?? 0) + 1;
      throw new Error('broken on purpose');
    }, 1);
    ledger = new JobLedger(kernel.knex, kernel.jobs);
  });
  after(async () => {
    await closeKernel(kernel);
    await database.drop();
  });

  it('records a job enqueued in a transaction only if the transaction commits', async () => {
    await kernel.knex
      .transaction(async (trx) => {
        await kernel.queue.enqueue('ledger.count', { key: 'rolled-back' }, { jobKey: 'ledger:rolled-back', trx });
        throw new Error('the caller failed after enqueueing');
      })
      .catch(() => undefined);
    expect(await kernel.knex('core_jobs').where({ job_key: 'ledger:rolled-back' }).first()).to.equal(undefined);

    const id = await kernel.knex.transaction((trx) => kernel.queue.enqueue('ledger.count', { key: 'committed' }, { jobKey: 'ledger:committed', trx }));
    expect(await row(id)).to.include({ status: 'waiting', job_key: 'ledger:committed' });
    expect(await runner().run(id)).to.equal('ran');
    expect(runs.committed).to.equal(1);
  });

  it('runs a job delivered to two workers at once exactly once', async () => {
    const id = await kernel.queue.enqueue('ledger.count', { key: 'twice-delivered' });
    const outcomes = await Promise.all([runner().run(id), runner().run(id), runner().run(id)]);
    expect(outcomes.filter((o) => o === 'ran')).to.have.length(1);
    expect(runs['twice-delivered']).to.equal(1);
    expect(await runner().run(id)).to.equal('skipped');
    expect(await row(id)).to.include({ status: 'completed' });
  });

  it('gives the job of a worker that died to another once its lease runs out, counting the attempt', async () => {
    const id = await kernel.queue.enqueue('ledger.count', { key: 'orphaned' });
    // A worker claims the job and dies: no heartbeat, no outcome.
    expect(await ledger.claim(id, 'dead-host:1:aaaaaa', 200)).to.include({ id, attempts: 1 });
    expect(await runner().run(id)).to.equal('skipped');
    await new Promise((r) => setTimeout(r, 1100));
    expect(await ledger.expireLeases()).to.equal(1);
    expect(await row(id)).to.include({ status: 'waiting', claimed_by: null });
    expect(await runner().run(id)).to.equal('ran');
    expect(await row(id)).to.include({ status: 'completed', attempts: 2 });
    expect(runs.orphaned).to.equal(1);
  });

  it('fails for good a job whose last attempt died with its worker', async () => {
    const id = await kernel.queue.enqueue('ledger.count', { key: 'doomed' }, { attempts: 1 });
    await ledger.claim(id, 'dead-host:2:bbbbbb', 200);
    await new Promise((r) => setTimeout(r, 1100));
    await ledger.expireLeases();
    const job = await kernel.queue.get(id);
    expect(job).to.include({ status: 'failed', attempts: 1 });
    expect(job!.error).to.contain('stopped before it finished');
  });

  it('keeps a late worker from overwriting the outcome of the run that took its job over', async () => {
    const id = await kernel.queue.enqueue('ledger.count', { key: 'late' });
    await ledger.claim(id, 'slow-host:3:cccccc', 200);
    await new Promise((r) => setTimeout(r, 1100));
    await ledger.expireLeases();
    await runner().run(id);
    expect(await ledger.complete(id, 'slow-host:3:cccccc', { stale: true })).to.equal(false);
    expect(await ledger.fail(id, 'slow-host:3:cccccc', 'late failure')).to.equal(null);
    expect(JSON.parse((await row(id)).result)).to.not.have.property('stale');
  });

  it('runs again a failed job enqueued again under its key; a completed one is returned as it is', async () => {
    const failed = await kernel.queue.enqueue('ledger.broken', { key: 'broken' }, { jobKey: 'ledger:broken' });
    await runner().run(failed);
    expect(await row(failed)).to.include({ status: 'failed' });
    expect(await kernel.queue.enqueue('ledger.broken', { key: 'broken' }, { jobKey: 'ledger:broken' })).to.equal(failed);
    expect(await row(failed)).to.include({ status: 'waiting', attempts: 0 });
    await runner().run(failed);
    expect(runs.broken).to.equal(2);

    const done = await kernel.queue.enqueue('ledger.count', { key: 'done-once' }, { jobKey: 'ledger:done-once' });
    await runner().run(done);
    expect(await kernel.queue.enqueue('ledger.count', { key: 'done-once' }, { jobKey: 'ledger:done-once' })).to.equal(done);
    expect(await runner().run(done)).to.equal('skipped');
    expect(runs['done-once']).to.equal(1);
  });

  it("records the company and the user of a job enqueued through ctx.db, and refuses a company outside the user's", async () => {
    const admin = await kernel.knex('core_users').orderBy('id').first();
    const companyId = Number((await kernel.knex('core_companies').orderBy('id').first()).id);
    const ctx = await kernel.contexts.forUser(Number(admin.id), companyId);
    const id = await ctx.db.enqueue('ledger.count', { key: 'scoped' });
    expect(await kernel.queue.get(id)).to.include({ company_id: companyId, user_id: Number(admin.id) });
    await runner().run(id);
    expect((await kernel.queue.get(id))!.result).to.deep.equal({ company: companyId, user: Number(admin.id) });

    const narrow = kernel.contexts.contextFor({ ...ctx.principal, companyIds: [companyId], isSuperAdmin: false });
    const refused = await narrow.db.enqueue('ledger.count', { key: 'elsewhere' }, { companyId: companyId + 1000 }).catch((e) => e);
    expect(refused).to.be.instanceOf(ForbiddenError);
  });
  it("settles another's waiting jobs of one company by key: completed with the result given, never run; running, finished and other companies' jobs are left alone", async () => {
    const companyId = Number((await kernel.knex('core_companies').orderBy('id').first()).id);
    const waiting = await kernel.queue.enqueue('ledger.count', { key: 'settled' }, { jobKey: 'ledger:settled', companyId });
    const running = await kernel.queue.enqueue('ledger.count', { key: 'settle-running' }, { jobKey: 'ledger:settle-running', companyId });
    await kernel.knex('core_jobs').where({ id: running }).update({ status: 'active', claimed_by: 'elsewhere:1:aaaaaa', lease_until: new Date(Date.now() + 60_000) });
    const other = await kernel.queue.enqueue('ledger.count', { key: 'settle-other' }, { jobKey: 'ledger:settle-other', companyId: companyId + 1000 });
    const settled = await kernel.knex.transaction((trx) => kernel.queue.settle(['ledger:settled', 'ledger:settle-running', 'ledger:settle-other', 'ledger:nothing'], { companyId, trx, result: { by: 'a batch' } }));
    expect(settled).to.equal(1);
    expect(await kernel.queue.get(waiting)).to.deep.include({ status: 'completed', result: { by: 'a batch' } });
    expect(await runner().run(waiting)).to.equal('skipped');
    expect(runs.settled).to.equal(undefined);
    expect(await row(running)).to.include({ status: 'active' });
    expect(await row(other)).to.include({ status: 'waiting' });
  });

  it('drops the Redis copies of settled jobs, in one round trip, and leaves a copy a worker holds', async function () {
    if (!process.env.REDIS_URL) this.skip();
    const queue = kernel.queue as unknown as { producer: import('bull').Queue };
    const companyId = Number((await kernel.knex('core_companies').orderBy('id').first()).id);
    const keys = ['ledger:drop-1', 'ledger:drop-2', 'ledger:drop-held'];
    const ids = await Promise.all(keys.map((jobKey) => kernel.queue.enqueue('ledger.count', { key: jobKey }, { jobKey, companyId })));
    const copies = () => Promise.all(ids.map((id) => queue.producer.getJob(`${id}-0`)));
    for (let i = 0; i < 100 && !(await copies()).every(Boolean); i++) await new Promise((r) => setTimeout(r, 20));
    expect((await copies()).every(Boolean)).to.equal(true);
    // A worker holds the last one: its lock stands for a run under way.
    await queue.producer.client.set(`${queue.producer.toKey(`${ids[2]}-0`)}:lock`, 'a-worker', 'PX', 5000);
    await kernel.knex.transaction((trx) => kernel.queue.settle(keys, { companyId, trx, result: { by: 'a batch' } }));
    for (let i = 0; i < 100 && (await copies()).filter(Boolean).length > 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect((await copies()).map(Boolean)).to.deep.equal([false, false, true]);
  });

  it('runs a job its backend described in two statements, the claim and the outcome; a description of another job under that id claims nothing', async () => {
    const companyId = Number((await kernel.knex('core_companies').orderBy('id').first()).id);
    const { id, handover } = await ledger.recordJob('ledger.count', { key: 'described' }, { jobKey: 'ledger:described', companyId });
    expect(handover!.job).to.deep.equal({ key: 'ledger:described', name: 'ledger.count', data: JSON.stringify({ key: 'described' }), companyId, userId: null });
    // A copy that outlived its row: same id, another job.
    expect(await runner().run(id, { ...handover!.job!, key: 'ledger:some-other-job' })).to.equal('skipped');
    const statements: string[] = [];
    const count = (q: { sql: string }) => statements.push(q.sql);
    kernel.knex.on('query', count);
    try {
      expect(await runner().run(id, handover!.job)).to.equal('ran');
    } finally {
      kernel.knex.off('query', count);
    }
    expect(runs.described).to.equal(1);
    expect(statements).to.have.length(2);
    expect((await kernel.queue.get(id))!.result).to.deep.equal({ company: companyId, user: null });
    // The relay, reading jobs back from the ledger, describes them too; large data stays behind.
    const small = await ledger.recordJob('ledger.count', { key: 'small' }, { companyId });
    const big = await ledger.recordJob('ledger.count', { key: 'big', pad: 'x'.repeat(4000) }, { companyId });
    expect(big.handover).to.deep.equal({ id: big.id, gen: 0 });
    const read = await ledger.unrelayed(10, [small.id, big.id]);
    expect(read.map((h) => [h.id, h.job?.name ?? null])).to.deep.equal([[small.id, 'ledger.count'], [big.id, null]]);
  });

  // Last: it starts the relay loop.
  it('hands a job over with no ledger write of its own once the relay loop knows Redis: marked with its row, and given back to the loop when Redis cannot take it', async function () {
    if (!process.env.REDIS_URL) this.skip();
    const queue = kernel.queue as unknown as { producer: import('bull').Queue; knownEpoch: string | null; flushing: Promise<void> | null };
    kernel.queue.startRelay();
    for (let i = 0; i < 100 && !queue.knownEpoch; i++) await new Promise((r) => setTimeout(r, 20));
    const statements: string[] = [];
    const count = (q: { sql: string }) => statements.push(q.sql);
    kernel.knex.on('query', count);
    let id: string;
    try {
      id = await kernel.knex.transaction((trx) => kernel.queue.enqueue('ledger.count', { key: 'marked' }, { jobKey: 'ledger:marked', trx }));
      for (let i = 0; i < 100 && !(await queue.producer.getJob(`${id}-0`)); i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      kernel.knex.off('query', count);
    }
    expect(await queue.producer.getJob(`${id}-0`)).to.not.equal(null);
    expect(await row(id)).to.include({ relay_epoch: queue.knownEpoch });
    expect(statements.filter((sql) => /core_jobs/.test(sql)), statements.join('\n')).to.have.length(1);
    // Redis refuses the hand-over: the mark is taken back, for the relay loop to hand it over.
    const { add, addBulk } = queue.producer;
    const refuse = () => Promise.reject(new Error('Redis refuses'));
    Object.assign(queue.producer, { add: refuse, addBulk: refuse });
    try {
      const refused = await kernel.knex.transaction((trx) => kernel.queue.enqueue('ledger.count', { key: 'refused' }, { jobKey: 'ledger:refused', trx }));
      for (let i = 0; i < 100 && (await row(refused)).relayed_at !== null; i++) await new Promise((r) => setTimeout(r, 20));
      expect(await row(refused)).to.include({ relayed_at: null, status: 'waiting' });
    } finally {
      Object.assign(queue.producer, { add, addBulk });
    }
  });
});
