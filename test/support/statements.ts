import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';
import { observeRoundTrips, type RoundTrip } from '../../core/db/deferred-writes';

/** One statement the database was sent, with the knex transaction it ran in (none: outside any). */
export interface Statement {
  sql: string;
  tx?: string;
}

/**
 * Every statement `knex` sends while `work` runs, for tests that pin what an operation costs: a
 * statement more is a round trip on every call of a hot path (on MySQL/MariaDB, unless it is a deferred
 * write, which travels with the next: `roundTrips` lists the packets), and the test lists them when it fails.
 */
export async function statementsDuring<T>(knex: Knex, work: () => Promise<T>): Promise<{ result: T; statements: Statement[]; roundTrips: RoundTrip[] }> {
  const statements: Statement[] = [];
  const listener = (q: { sql: string; __knexTxId?: string }) => statements.push({ sql: q.sql, tx: q.__knexTxId });
  knex.on('query', listener);
  // On MySQL/MariaDB a deferred write travels with the next statement: the packets sent, apart (none on SQLite).
  const roundTrips: RoundTrip[] = [];
  const stop = observeRoundTrips(knex, (trip) => roundTrips.push(trip));
  try {
    return { result: await work(), statements, roundTrips };
  } finally {
    knex.removeListener('query', listener);
    stop();
  }
}

/** Which call of `ownStatementsDuring` a statement was sent from, if any. */
const sentFrom = new AsyncLocalStorage<object>();

/**
 * The statements `work` itself sends, for tests that pin what a direct service call costs: those issued
 * from its own asynchronous chain, and nothing else the process sends on `knex` meanwhile. The test
 * app's relay and job runner (on timers of their own, working off the outbox rows the test's setup or an
 * earlier file left) share that knex, and `statementsDuring` counts them too when they happen to run in
 * the window: a pin that holds alone fails in a mixed run. Not for HTTP requests (supertest's server
 * handles them outside the test's chain): use `requestStatements` there.
 */
export async function ownStatementsDuring<T>(knex: Knex, work: () => Promise<T>): Promise<{ result: T; statements: Statement[] }> {
  const mark = {};
  const statements: Statement[] = [];
  const listener = (q: { sql: string; __knexTxId?: string }) => {
    if (sentFrom.getStore() === mark) statements.push({ sql: q.sql, tx: q.__knexTxId });
  };
  knex.on('query', listener);
  try {
    return { result: await sentFrom.run(mark, work), statements };
  } finally {
    knex.removeListener('query', listener);
  }
}

/**
 * A request's own statements among those seen: the transaction that ran a statement matching `marker`
 * (its characteristic insert) and what ran outside any transaction, but not the test app's job runner
 * and relay working meanwhile (on `core_jobs` and `core_outbox` outside a transaction, or in a
 * handler's transaction of its own).
 */
export function requestStatements(seen: Statement[], marker: RegExp): string[] {
  const own = seen.find((q) => q.tx && marker.test(q.sql))?.tx;
  return seen.filter((q) => (q.tx ? q.tx === own : !/`core_jobs`|`core_outbox`/.test(q.sql))).map((q) => q.sql);
}

/** The packets of a request's own statements (see `requestStatements`), each with the statements it carried. */
export function requestRoundTrips(seen: Statement[], trips: RoundTrip[], marker: RegExp): string[] {
  const own = seen.find((q) => q.tx && marker.test(q.sql))?.tx;
  return trips.filter((t) => (t.tx ? t.tx === own : !/`core_jobs`|`core_outbox`/.test(t.sql))).map((t) => t.sql);
}
