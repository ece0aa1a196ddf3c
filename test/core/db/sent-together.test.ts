import { expect } from 'chai';
import type { Knex } from 'knex';
import { dialectOf, openDatabase } from '../../../core/db/connection';
import { deferredWrite, sentTogether, type RoundTrip } from '../../../core/db/deferred-writes';
import { isDuplicateKey } from '../../../core/db/db-errors';
import { ROOT_DIR } from '../../../core/config/load-config';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { statementsDuring } from '../../support/statements';

/**
 * Statements sent together: on MySQL/MariaDB one packet, each caller getting its own statement's
 * result or error; on SQLite the same results, each statement run at once, in order.
 */
describe('statements sent together', () => {
  let database: TestDatabase;
  let knex: Knex;
  let mysql: boolean;

  beforeEach(async () => {
    database = await createTestDatabase();
    knex = openDatabase(database.url.startsWith('mysql:') ? `${database.url}?pool=1` : database.url, ROOT_DIR);
    mysql = dialectOf(knex) === 'mysql';
    await knex.schema.createTable('t', (table) => {
      table.increments('id');
      table.string('name', 50).notNullable().unique();
      table.integer('n').notNullable().defaultTo(0);
    });
    await knex('t').insert([{ name: 'a' }, { name: 'b' }]);
  });
  afterEach(async () => {
    await knex.destroy();
    await database.drop();
  });

  const tripsDuring = async (work: () => Promise<unknown>): Promise<RoundTrip[]> => (await statementsDuring(knex, work)).roundTrips;

  it('answers each statement as awaiting it would, in one packet with the writes deferred before them; a later one sees an earlier one', async () => {
    let answers: unknown[] = [];
    const trips = await tripsDuring(() =>
      knex.transaction(async (trx) => {
        await deferredWrite(trx('t').insert({ name: 'c' }));
        answers = await sentTogether(
          trx('t').whereIn('name', ['a', 'b', 'zz']).update({ n: 1 }),
          trx('t').where({ n: 1 }).orderBy('name').forUpdate().pluck('name'),
          trx('t').where({ name: 'c' }).first('n'),
        );
      }),
    );
    expect(answers.map((a) => (typeof a === 'object' && a && 'n' in a ? { n: Number((a as { n: unknown }).n) } : a))).to.deep.equal([2, ['a', 'b'], { n: 0 }]);
    if (mysql) expect(trips.map((t) => t.statements), trips.map((t) => t.sql).join('\n')).to.deep.equal([5, 1]);
  });

  it('a statement that fails rejects with its own error; those after it never ran, the ones before did, and the transaction may go on', async () => {
    let error: unknown;
    await knex.transaction(async (trx) => {
      error = await sentTogether(
        trx('t').where({ name: 'a' }).update({ n: 5 }),
        trx('t').insert({ name: 'b' }),
        trx('t').where({ name: 'b' }).update({ n: 7 }),
      ).then(() => null, (e: unknown) => e);
      await trx('t').insert({ name: 'd' });
    });
    expect(isDuplicateKey(error), String(error)).to.equal(true);
    const rows = (await knex('t').orderBy('name').select('name', 'n')).map((r: any) => `${r.name}=${Number(r.n)}`);
    expect(rows).to.deep.equal(['a=5', 'b=0', 'd=0']);
  });

  it('a rollback after them leaves nothing; outside a transaction each runs at once', async () => {
    await knex.transaction(async (trx) => {
      await sentTogether(trx('t').where({ name: 'a' }).update({ n: 9 }), trx('t').select('id'));
      throw new Error('changed my mind');
    }).catch(() => undefined);
    expect(Number((await knex('t').where({ name: 'a' }).first('n')).n)).to.equal(0);
    const trips = await tripsDuring(async () => {
      const [changed, names] = await sentTogether(knex('t').where({ name: 'a' }).update({ n: 3 }), knex('t').where({ n: 3 }).pluck('name'));
      expect([changed, names]).to.deep.equal([1, ['a']]);
    });
    if (mysql) expect(trips.map((t) => t.statements)).to.deep.equal([1, 1]);
  });
});
