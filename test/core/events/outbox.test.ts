import { expect } from 'chai';
import { bootOn, closeKernel, drainJobs } from '../../support/harness';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { FIXTURE_MODULES } from '../../support/fixture-app';
import type { Kernel } from '../../../core/kernel/kernel';
import { OUTBOX_JOB } from '../../../core/events/outbox-relay';

describe('domain events and the outbox', () => {
  let database: TestDatabase;
  const kernels: Kernel[] = [];
  const boot = async (runJobs: boolean) => {
    const kernel = await bootOn(database, { kernel: { modulesDir: FIXTURE_MODULES, runJobs } });
    kernels.push(kernel);
    if (runJobs) await kernel.startJobs();
    return kernel;
  };
  const adminCtx = async (kernel: Kernel) => {
    const admin = await kernel.knex('core_users').orderBy('id').first();
    return kernel.contexts.forUser(admin.id);
  };
  const createItem = async (kernel: Kernel, name: string) => {
    const ctx = await adminCtx(kernel);
    return ctx.db.transaction(async (db) => {
      const id = await db.insert('alpha_items', { name });
      await db.publish('alpha.item.created', { id, name });
      return id;
    });
  };

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    for (const kernel of kernels.splice(0)) await closeKernel(kernel).catch(() => undefined);
    await database.drop();
  });

  it('records the event with the publisher\'s commit and runs the handler once the relay sees it', async () => {
    const kernel = await boot(true);
    await createItem(kernel, 'delivered');
    await drainJobs(kernel);
    const log = await kernel.knex('alpha_event_log').select('item_name');
    expect(log).to.deep.equal([{ item_name: 'delivered' }]);
  });

  it('in a process that relays, records the handler\'s job in the publisher\'s transaction (no relay pass left)', async () => {
    const kernel = await boot(true);
    await createItem(kernel, 'handed-over');
    // Straight after the commit, before any relay pass: the row is dispatched and its job recorded.
    const row = await kernel.knex('core_outbox').orderBy('id', 'desc').first();
    expect(row.dispatched_at).to.not.equal(null);
    expect(await kernel.knex('core_jobs').where({ job_key: `event:${row.id}:alpha.log-created` }).count({ n: '*' }).first()).to.deep.include({ n: 1 });
    await kernel.relay.dispatchPending();
    expect(await kernel.knex('core_jobs').where('job_key', 'like', `event:${row.id}:%`).count({ n: '*' }).first()).to.deep.include({ n: 1 });
    await drainJobs(kernel);
    expect(await kernel.knex('alpha_event_log').pluck('item_name')).to.deep.equal(['handed-over']);
  });

  it('loses nothing when the process dies between the commit and the enqueue', async () => {
    const doomed = await boot(false); // no relay: the process "dies" before enqueueing
    await createItem(doomed, 'survivor');
    expect(await doomed.knex('core_outbox').whereNull('dispatched_at').count({ n: '*' }).first()).to.deep.include({ n: 1 });
    await doomed.close();
    kernels.splice(kernels.indexOf(doomed), 1);

    const next = await boot(true);
    await drainJobs(next);
    expect(await next.knex('alpha_event_log').pluck('item_name')).to.deep.equal(['survivor']);
    expect(await next.knex('core_outbox').whereNull('dispatched_at').first()).to.equal(undefined);
  });

  it('enqueues an event once even when a relay dies after enqueueing and before marking it sent', async () => {
    const kernel = await boot(false);
    await createItem(kernel, 'twice-relayed');
    const row = await kernel.knex('core_outbox').first();
    // The first relay enqueued, then died before marking the row dispatched.
    await kernel.queue.enqueue(OUTBOX_JOB, { eventId: Number(row.id), handler: 'alpha.log-created' }, { jobKey: `event:${row.id}:alpha.log-created` });
    await kernel.relay.dispatchPending();
    const jobs = (await kernel.queue.list({ scope: 'all', limit: 50 })).filter((j) => j.name === OUTBOX_JOB);
    expect(jobs).to.have.length(1);
    await kernel.startJobs();
    await drainJobs(kernel);
    expect(await kernel.knex('alpha_event_log').pluck('item_name')).to.deep.equal(['twice-relayed']);
  });

  it('records nothing when the publisher rolls back', async () => {
    const kernel = await boot(true);
    const ctx = await adminCtx(kernel);
    await ctx.db
      .transaction(async (db) => {
        await db.publish('alpha.item.created', { name: 'ghost' });
        throw new Error('the write failed after publishing');
      })
      .catch(() => undefined);
    await drainJobs(kernel);
    expect(await kernel.knex('core_outbox').count({ n: '*' }).first()).to.deep.include({ n: 0 });
    expect(await kernel.knex('alpha_event_log').count({ n: '*' }).first()).to.deep.include({ n: 0 });
  });

  it('rolls the publisher back when an in-transaction handler refuses', async () => {
    const kernel = await boot(true);
    await createItem(kernel, 'vetoed').then(
      () => expect.fail('the veto was ignored'),
      (error) => expect(error.fields).to.deep.equal({ name: 'was vetoed by a handler' }),
    );
    expect(await kernel.knex('alpha_items').where({ name: 'vetoed' }).first()).to.equal(undefined);
  });

  it('records an outbox handler\'s job only for the payloads its `only` accepts, in the publisher\'s transaction and in a relay pass', async () => {
    const seen: string[] = [];
    const subscribe = (kernel: Kernel) =>
      kernel.events.on('alpha', 'alpha.item.created', async ({ event }) => {
        seen.push(String((event.payload as { name: string }).name));
      }, { mode: 'outbox', name: 'test.wanted-only', only: (payload: { name: string }) => payload.name.startsWith('wanted') });
    const jobsOf = async (kernel: Kernel) => (await kernel.knex('core_jobs').where('job_key', 'like', 'event:%:test.wanted-only').count({ n: '*' }).first())?.n;
    const relaying = await boot(true);
    subscribe(relaying);
    await createItem(relaying, 'unwanted');
    expect(await jobsOf(relaying)).to.equal(0);
    await createItem(relaying, 'wanted');
    expect(await jobsOf(relaying)).to.equal(1);
    await drainJobs(relaying);
    expect(seen).to.deep.equal(['wanted']);
    // A row written by a process that does not relay: the relay pass applies the same test.
    const quiet = await boot(false);
    subscribe(quiet);
    await createItem(quiet, 'unwanted-later');
    await createItem(quiet, 'wanted-later');
    await quiet.relay.dispatchPending();
    expect(await jobsOf(quiet)).to.equal(2);
    // The handlers without a test still get every event.
    expect(await quiet.knex('core_jobs').where('job_key', 'like', 'event:%:alpha.log-created').count({ n: '*' }).first()).to.deep.include({ n: 4 });
  });
});
