import { expect } from 'chai';
import type { Knex } from 'knex';
import { dialectOf, openDatabase } from '../../../core/db/connection';
import { deferredWrite, type RoundTrip } from '../../../core/db/deferred-writes';
import { isDuplicateKey } from '../../../core/db/db-errors';
import { ROOT_DIR } from '../../../core/config/load-config';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { statementsDuring } from '../../support/statements';

/**
 * Deferred writes: on MySQL/MariaDB a marked write in a transaction travels with the next statement
 * on its connection; the same rules hold on SQLite, where it simply runs at once. The round trips are
 * counted on MySQL/MariaDB only (SQLite has none).
 */
describe('deferred writes', () => {
  let database: TestDatabase;
  let knex: Knex;
  let mysql: boolean;

  beforeEach(async () => {
    database = await createTestDatabase();
    // One connection: the next transaction reuses the connection a failed one used, as a busy pool would.
    knex = openDatabase(database.url.startsWith('mysql:') ? `${database.url}?pool=1` : database.url, ROOT_DIR);
    mysql = dialectOf(knex) === 'mysql';
    await knex.schema.createTable('t', (table) => {
      table.increments('id');
      table.string('name', 50).notNullable().unique();
      table.string('note', 200);
    });
  });
  afterEach(async () => {
    await knex.destroy();
    await database.drop();
  });

  const tripsDuring = async (work: () => Promise<unknown>): Promise<RoundTrip[]> => (await statementsDuring(knex, work)).roundTrips;

  const names = async () => (await knex('t').orderBy('name').pluck('name')).map(String);

  async function failure(work: () => Promise<unknown>): Promise<Error & { code?: string; deferredWrite?: string }> {
    try {
      await work();
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected a failure');
  }

  it('a deferred write travels with the next statement, which sees it (read-your-writes)', async () => {
    let seen: unknown;
    let result: unknown;
    const trips = await tripsDuring(() =>
      knex.transaction(async (trx) => {
        // A `?` and a `;` in a value: each statement is escaped on its own, never re-read as SQL.
        result = await deferredWrite(trx('t').insert({ name: 'a', note: 'why? because; really' }));
        await deferredWrite(trx('t').insert({ name: 'b' }));
        seen = await trx('t').orderBy('name').pluck('note');
      }),
    );
    expect(seen).to.deep.equal(['why? because; really', null]);
    expect(await names()).to.deep.equal(['a', 'b']);
    if (!mysql) return;
    // BEGIN, the two inserts and the select in one packet; COMMIT.
    expect(trips.map((t) => t.statements), trips.map((t) => t.sql).join('\n')).to.deep.equal([4, 1]);
    expect(trips[0].sql).to.match(/^BEGIN;\ninsert into `t`/);
    expect(result, 'a stand-in result: the insert id is unknown when it resolves').to.deep.equal([0]);
  });

  it('COMMIT carries the writes left pending', async () => {
    const trips = await tripsDuring(() => knex.transaction(async (trx) => void (await deferredWrite(trx('t').insert({ name: 'a' })))));
    expect(await names()).to.deep.equal(['a']);
    if (mysql) expect(trips.map((t) => t.sql)).to.deep.equal(["BEGIN;\ninsert into `t` (`name`) values ('a');\nCOMMIT"]);
  });

  it('a rollback discards them: nothing is written, nothing is sent, not even BEGIN and ROLLBACK', async () => {
    const trips = await tripsDuring(() =>
      failure(() =>
        knex.transaction(async (trx) => {
          await deferredWrite(trx('t').insert({ name: 'a' }));
          throw new Error('changed my mind');
        }),
      ),
    );
    expect(await names()).to.deep.equal([]);
    if (mysql) expect(trips).to.deep.equal([]);
  });

  it('a failing deferred write fails its transaction, which leaves nothing and a clean connection, carried by COMMIT', async () => {
    await knex('t').insert({ name: 'a' });
    const error = await failure(() =>
      knex.transaction(async (trx) => {
        await trx('t').insert({ name: 'b' });
        await deferredWrite(trx('t').insert({ name: 'a' }));
      }),
    );
    expect(isDuplicateKey({ ...error, deferredWrite: undefined, message: error.message }), error.message).to.equal(true);
    if (mysql) {
      expect(error.deferredWrite).to.match(/^insert into `t`/);
      // The carrier's own callers must not take the deferred write's duplicate for their own.
      expect(isDuplicateKey(error)).to.equal(false);
      const [[state]] = await knex.raw('SELECT @@in_transaction AS open');
      expect(Number(state.open), 'the pool got its connection back outside any transaction').to.equal(0);
    }
    expect(await names()).to.deep.equal(['a']);
    await knex.transaction(async (trx) => void (await deferredWrite(trx('t').insert({ name: 'c' }))));
    expect(await names()).to.deep.equal(['a', 'c']);
  });

  it('a failing deferred write carried by a read fails that read, and the transaction with it', async () => {
    await knex('t').insert({ name: 'a' });
    let reached = false;
    const error = await failure(() =>
      knex.transaction(async (trx) => {
        await deferredWrite(trx('t').insert({ name: 'b' }));
        await deferredWrite(trx('t').insert({ name: 'a' }));
        await trx('t').select('id');
        reached = true;
      }),
    );
    expect(error.message).to.match(/Duplicate entry|UNIQUE constraint failed/);
    expect(reached).to.equal(false);
    expect(await names()).to.deep.equal(['a']);
  });

  it('a transaction whose code swallowed the error of a failed deferred write does not commit', async () => {
    await knex('t').insert({ name: 'a' });
    const error = await failure(() =>
      knex.transaction(async (trx) => {
        await trx('t').insert({ name: 'b' });
        await deferredWrite(trx('t').insert({ name: 'a' }));
        // On MySQL/MariaDB the read carrying the write fails, and its error is swallowed here (on SQLite
        // the write itself fails, at once).
        await trx('t').select('id').catch(() => undefined);
      }),
    );
    expect(error.message).to.match(mysql ? /deferred write failed/ : /UNIQUE constraint failed/);
    expect(await names()).to.deep.equal(['a']);
    if (mysql) {
      const [[state]] = await knex.raw('SELECT @@in_transaction AS open');
      expect(Number(state.open)).to.equal(0);
    }
  });

  it('rolling back to a savepoint taken before a failed deferred write lets the transaction go on', async () => {
    await knex('t').insert({ name: 'a' });
    await knex.transaction(async (trx) => {
      await deferredWrite(trx('t').insert({ name: 'b' }));
      const inner = await failure(() =>
        trx.transaction(async (nested) => {
          await deferredWrite(nested('t').insert({ name: 'a' }));
          await nested('t').select('id');
        }),
      );
      expect(inner.message).to.match(/Duplicate entry|UNIQUE constraint failed/);
      await deferredWrite(trx('t').insert({ name: 'c' }));
    });
    expect(await names()).to.deep.equal(['a', 'b', 'c']);
  });

  it('a transaction that reads first sends BEGIN with that read; one that rolls back after it sends ROLLBACK', async () => {
    const trips = await tripsDuring(() =>
      failure(() =>
        knex.transaction(async (trx) => {
          await trx('t').select('id');
          throw new Error('changed my mind');
        }),
      ),
    );
    if (mysql) expect(trips.map((t) => t.sql)).to.deep.equal(['BEGIN;\nselect `id` from `t`', 'ROLLBACK']);
  });

  it('a stream in the transaction sees the writes deferred before it', async () => {
    const streamed: string[] = [];
    await knex.transaction(async (trx) => {
      await deferredWrite(trx('t').insert({ name: 'a' }));
      const stream = trx('t').select('name').stream();
      for await (const row of stream) streamed.push(String((row as { name: string }).name));
    });
    expect(streamed).to.deep.equal(['a']);
  });

  it('outside a transaction a deferred write runs at once', async () => {
    const trips = await tripsDuring(() => deferredWrite(knex('t').insert({ name: 'a' })));
    const other = openDatabase(database.url, ROOT_DIR);
    try {
      expect((await other('t').pluck('name')).map(String)).to.deep.equal(['a']);
    } finally {
      await other.destroy();
    }
    if (mysql) expect(trips.map((t) => t.statements)).to.deep.equal([1]);
  });

  it('a savepoint carries the writes before it; rolling back to it drops only those after it', async () => {
    await knex.transaction(async (trx) => {
      await deferredWrite(trx('t').insert({ name: 'before' }));
      await failure(() =>
        trx.transaction(async (inner) => {
          await deferredWrite(inner('t').insert({ name: 'undone' }));
          throw new Error('inner gives up');
        }),
      );
      await trx.transaction(async (inner) => void (await deferredWrite(inner('t').insert({ name: 'kept' }))));
      await deferredWrite(trx('t').insert({ name: 'after' }));
    });
    expect(await names()).to.deep.equal(['after', 'before', 'kept']);
  });
});
