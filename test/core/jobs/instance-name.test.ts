import { expect } from 'chai';
import type { Kernel } from '../../../core/kernel/kernel';
import { bootOn, closeKernel } from '../../support/harness';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { FIXTURE_MODULES } from '../../support/fixture-app';
import { startRedisServer, type TestRedis } from '../../support/redis-server';

/** Two installations on one Redis: their queue keys carry their names, so neither runs the other's jobs. */
describe('installations sharing one Redis', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  const databases: TestDatabase[] = [];
  const kernels: Kernel[] = [];
  const ranBy: Record<string, string[]> = {};

  /** An installation on a database of its own, with the instance name derived as in production. */
  const install = async (database?: TestDatabase) => {
    if (!database) databases.push((database = await createTestDatabase()));
    const kernel = await bootOn(database, { kernel: { modulesDir: FIXTURE_MODULES, config: { redisUrl: redis.url, instanceName: undefined } } });
    kernels.push(kernel);
    const name = kernel.config.instanceName!;
    if (!kernel.jobs.has('shared.mark')) {
      kernel.jobs.define('shared.mark', async (job) => {
        (ranBy[job.data.label] ??= []).push(name);
      });
    }
    return kernel;
  };

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    for (const kernel of kernels) await closeKernel(kernel).catch(() => undefined);
    for (const database of databases) await database.drop();
    await redis.close();
  });

  it('names each installation after its database and an id kept there, the same for every process', async () => {
    const first = await install();
    const again = await install(databases[0]);
    const other = await install();
    expect(first.config.instanceName).to.match(/^[a-z0-9_-]+-[0-9a-f]{8}$/);
    expect(again.config.instanceName).to.equal(first.config.instanceName);
    expect(other.config.instanceName).to.not.equal(first.config.instanceName);
  });

  it("keeps each installation's jobs to its own workers", async () => {
    const [first, , other] = kernels;
    await first.queue.enqueue('shared.mark', { label: 'first' });
    await other.queue.enqueue('shared.mark', { label: 'other' });
    await first.startJobs();
    await other.startJobs();
    const deadline = Date.now() + 20_000;
    while (!(ranBy.first && ranBy.other) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ranBy).to.deep.equal({ first: [first.config.instanceName], other: [other.config.instanceName] });
    const keys = await redis.client().keys('tessera:*:epoch');
    expect(keys.sort()).to.deep.equal([`tessera:${first.config.instanceName}:epoch`, `tessera:${other.config.instanceName}:epoch`].sort());
  });
});
