import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../../core/db/connection';
import { duplicateKeyOf, withDbLock, LockTimeoutError } from '../../../core/db/db-lock';
import { Migrator } from '../../../core/modules/migrator';
import { ROOT_DIR } from '../../../core/config/load-config';
import { createTestDatabase, TestDatabase } from '../../support/test-database';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('database lock (core_locks)', () => {
  let database: TestDatabase;
  let a: Knex;
  let b: Knex;

  beforeEach(async () => {
    database = await createTestDatabase();
    // Two processes: each its own connection to the same database.
    a = openDatabase(database.url, ROOT_DIR);
    b = openDatabase(database.url, ROOT_DIR);
    await new Migrator(a).ensureJournal();
  });
  afterEach(async () => {
    await a.destroy();
    await b.destroy();
    await database.drop();
  });

  /** Runs `ms` of work under the lock and records when it held it. */
  const hold = (knex: Knex, ms: number, log: Array<{ start: number; end: number }>, options?: { ttlMs?: number; waitMs?: number }) =>
    withDbLock(
      knex,
      'test-lock',
      async () => {
        const start = Date.now();
        await sleep(ms);
        log.push({ start, end: Date.now() });
      },
      options,
    );

  it('lets one holder in at a time, and releases the lock when the work throws', async () => {
    const log: Array<{ start: number; end: number }> = [];
    const first = hold(a, 300, log);
    await sleep(50);
    await Promise.all([first, hold(b, 10, log)]);

    expect(log).to.have.length(2);
    expect(log[1].start).to.be.at.least(log[0].end);

    await withDbLock(a, 'test-lock', async () => {
      throw new Error('boom');
    }).catch(() => undefined);
    expect(await a('core_locks').select()).to.deep.equal([]);
  });

  it('stays held by a live holder whose work outlasts the time-to-live', async () => {
    const log: Array<{ start: number; end: number }> = [];
    // MySQL keeps expires_at to the second, so the time-to-live is 2 s, and the work lasts longer.
    const slow = hold(a, 2600, log, { ttlMs: 2000 });
    await sleep(100);

    await Promise.all([slow, hold(b, 10, log, { ttlMs: 2000, waitMs: 8000 })]);

    expect(log[1].start, 'the second holder waited for the first to finish').to.be.at.least(log[0].end);
  });

  it('is taken over once the lock of a holder that died has expired', async () => {
    await a('core_locks').insert({ name: 'test-lock', owner: 'gone-host:4242:dead', expires_at: new Date(Date.now() - 1000) });

    expect(await withDbLock(b, 'test-lock', async () => 'ran', { waitMs: 500 })).to.equal('ran');
  });

  it('gives up after waitMs while another holder keeps it, naming the holder', async () => {
    await a('core_locks').insert({ name: 'test-lock', owner: 'busy-host:7:alive', expires_at: new Date(Date.now() + 60_000) });

    const error = await withDbLock(b, 'test-lock', async () => 'ran', { waitMs: 300 }).catch((e) => e);

    expect(error).to.be.instanceOf(LockTimeoutError);
    expect(error.message).to.equal('Lock "test-lock" is held by busy-host:7:alive; gave up after 300 ms');
  });

  it('names the key a duplicate broke, not a column the statement happens to write', async () => {
    await a.schema.createTable('things', (t) => {
      t.increments('id');
      t.string('code', 20).notNullable();
      t.string('email', 50).nullable();
      t.unique(['code'], { indexName: 'things_code_unique' });
    });
    await a('things').insert({ code: 'x', email: 'a@x.org' });
    const error = await a('things').insert({ code: 'x', email: 'b@x.org' }).then(() => null, (e: unknown) => e);
    expect(String((error as Error).message)).to.contain('email');
    expect(duplicateKeyOf(error)).to.be.oneOf(['things_code_unique', 'things.things_code_unique', 'things.code']);
    expect(duplicateKeyOf(new Error('some other failure'))).to.equal(null);
  });
});
