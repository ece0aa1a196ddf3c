import { expect } from 'chai';
import { bootOn, closeKernel, drainJobs } from '../../support/harness';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { FIXTURE_MODULES } from '../../support/fixture-app';
import type { Kernel } from '../../../core/kernel/kernel';

/** The contract both queues keep: bull when REDIS_URL is set, the in-process database queue otherwise. */
describe(`job queue (${process.env.REDIS_URL ? 'bull on Redis' : 'in-process on the database'})`, () => {
  let database: TestDatabase;
  let kernel: Kernel;
  const runs: Record<string, number> = {};

  before(async () => {
    database = await createTestDatabase();
    kernel = await bootOn(database, { kernel: { modulesDir: FIXTURE_MODULES } });
    kernel.jobs.define('test.count', async (job) => {
      runs[job.data.key] = (runs[job.data.key] ?? 0) + 1;
      await job.progress(50, { step: 'half way' });
      return { counted: job.data.key };
    });
    kernel.jobs.define('test.flaky', async (job) => {
      runs[job.data.key] = (runs[job.data.key] ?? 0) + 1;
      if (runs[job.data.key] < 2) throw new Error('first attempt fails');
      return 'ok';
    }, 3);
    // Ends itself in its own transaction: rolled back at the first attempt, committed at the second,
    // after which it throws.
    kernel.jobs.define('test.ends', async (job) => {
      const attempt = (runs[job.data.key] = (runs[job.data.key] ?? 0) + 1);
      const companyId = Number((await kernel.knex('core_companies').orderBy('id').first('id')).id);
      await kernel.contexts.system([companyId]).db.transaction(async (tx) => {
        await job.completeWith!(tx, { ended: attempt });
        if (attempt === 1) throw new Error('rolled back, and the end with it');
      });
      throw new Error('thrown after the end committed');
    }, 3);
    kernel.jobs.define('test.broken', async () => {
      throw new Error('always broken');
    }, 2);
    await kernel.startJobs();
  });
  after(async () => {
    await closeKernel(kernel);
    await database.drop();
  });

  it('runs a job and keeps its result and progress', async () => {
    const id = await kernel.queue.enqueue('test.count', { key: 'plain' });
    await drainJobs(kernel);
    const job = await kernel.queue.get(id);
    expect(job).to.include({ status: 'completed', progress: 100, name: 'test.count', queue: 'test' });
    expect(job!.result).to.deep.equal({ counted: 'plain' });
    expect(runs.plain).to.equal(1);
  });

  it('enqueues a job once per idempotency key, however often it is asked', async () => {
    const ids = await Promise.all([1, 2, 3].map(() => kernel.queue.enqueue('test.count', { key: 'keyed' }, { jobKey: 'import:42' })));
    expect(new Set(ids).size).to.equal(1);
    await drainJobs(kernel);
    expect(runs.keyed).to.equal(1);
  });

  it('retries a failing job until it succeeds', async () => {
    const id = await kernel.queue.enqueue('test.flaky', { key: 'flaky' });
    await drainJobs(kernel, 20_000);
    await waitFor(async () => (await kernel.queue.get(id))?.status === 'completed');
    expect(runs.flaky).to.equal(2);
  });

  it('ends a job in its handler\'s transaction: not when that rolls back, and for good once it commits', async () => {
    const id = await kernel.queue.enqueue('test.ends', { key: 'ends' });
    await waitFor(async () => (await kernel.queue.get(id))?.status === 'completed');
    await drainJobs(kernel, 20_000);
    const job = await kernel.queue.get(id);
    expect(job).to.include({ status: 'completed', progress: 100, attempts: 2, error: null });
    expect(job!.result).to.deep.equal({ ended: 2 });
    expect(runs.ends).to.equal(2);
  });

  it('marks a job failed with its error after the last attempt, and retries it on demand', async () => {
    const id = await kernel.queue.enqueue('test.broken', { key: 'broken' });
    await waitFor(async () => (await kernel.queue.get(id))?.status === 'failed');
    const failed = await kernel.queue.get(id);
    expect(failed!.error).to.contain('always broken');
    expect((await kernel.queue.list({ scope: 'all', status: 'failed' })).map((j) => j.id)).to.include(id);
    const counts = await kernel.queue.counts('all');
    expect(counts.find((c) => c.queue === 'test')!.failed).to.be.greaterThan(0);
    await kernel.queue.retry(id);
    await waitFor(async () => (await kernel.queue.get(id))?.status === 'failed' && (await kernel.queue.get(id))!.attempts >= 1);
  });

  it('answers a ping when its backend is up', async () => {
    expect(await kernel.queue.ping()).to.equal(true);
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}
