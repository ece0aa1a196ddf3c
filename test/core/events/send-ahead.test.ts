import { expect } from 'chai';
import type { Knex } from 'knex';
import { dialectOf, openDatabase } from '../../../core/db/connection';
import { ROOT_DIR } from '../../../core/config/load-config';
import { EventBus } from '../../../core/events/event-bus';
import type { EventCatalog } from '../../../core/events/event-catalog';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { statementsDuring } from '../../support/statements';

/**
 * A statement an in-transaction handler sends ahead: it travels with the event's outbox row (one round
 * trip on MySQL/MariaDB), runs before any handler of the event, and its answer reaches the handler.
 */
describe('event handlers sending a statement ahead', () => {
  let database: TestDatabase;
  let knex: Knex;
  const anyEvent = { assertPublishable: () => undefined, assertSubscribable: () => undefined } as unknown as EventCatalog;
  // The handlers' data access is the transaction itself here: what matters is which packet carries what.
  const bus = () => new EventBus(anyEvent, (_event, trx) => ({ knex: trx }) as never);

  beforeEach(async () => {
    database = await createTestDatabase();
    knex = openDatabase(database.url.startsWith('mysql:') ? `${database.url}?pool=1` : database.url, ROOT_DIR);
    await knex.schema.createTable('t', (table) => {
      table.increments('id');
      table.string('name', 50).notNullable();
      table.integer('n').notNullable().defaultTo(0);
    });
    await knex.schema.createTable('core_outbox', (table) => {
      table.increments('id');
      table.string('event', 100);
      table.integer('company_id');
      table.integer('actor_id').nullable();
      table.text('payload');
      table.dateTime('created_at');
      table.dateTime('dispatched_at').nullable();
    });
    await knex('t').insert([{ name: 'a', n: 1 }, { name: 'b', n: 2 }]);
  });
  afterEach(async () => {
    await knex.destroy();
    await database.drop();
  });

  it('sends it with the outbox row, before the handlers run, and hands each handler its own answer', async () => {
    const events = bus();
    const seen: Record<string, unknown> = {};
    events.on('m', 'x.happened', async () => undefined, { mode: 'outbox', name: 'later' });
    events.on('m', 'x.happened', async ({ db }) => void (await (db as unknown as { knex: Knex.Transaction }).knex('t').where({ name: 'a' }).update({ n: 10 })), { name: 'first' });
    events.on('m', 'x.happened', async ({ sentAhead }) => void (seen.read = sentAhead), {
      name: 'reader',
      // Runs before `first` changes the row: it sees the transaction as the event found it.
      sendAhead: ({ db }) => (db as unknown as { knex: Knex.Transaction }).knex('t').where({ name: 'a' }).first('n'),
    });
    events.on('m', 'x.happened', async (ctx) => void (seen.none = 'sentAhead' in ctx), { name: 'none', sendAhead: () => null });
    const { roundTrips: trips } = await statementsDuring(knex, () => knex.transaction((trx) => events.publish(trx, { name: 'x.happened', companyId: 1, actorId: null, payload: { id: 1 } })));
    expect(Number((seen.read as { n: unknown }).n)).to.equal(1);
    expect(seen.none, 'a handler that sent nothing ahead gets no answer').to.equal(false);
    if (dialectOf(knex) === 'mysql') {
      expect(trips.map((t) => t.sql.split('\n').map((s) => s.slice(0, 25)))).to.deep.equal([
        ['BEGIN;', 'insert into `core_outbox`', 'select `n` from `t` where'],
        ['update `t` set `n` = ? wh'],
        ['COMMIT;'],
      ]);
    }
  });

  it('is refused for an outbox handler, which runs outside the publisher\'s transaction', () => {
    expect(() => bus().on('m', 'x.happened', async () => undefined, { mode: 'outbox', sendAhead: () => null })).to.throw(/only an inTransaction handler/);
  });
});
