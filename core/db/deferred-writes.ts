import type { Knex } from 'knex';

/**
 * Write deferral inside a transaction, on MySQL/MariaDB. Every statement is a round trip to the
 * server, and on a busy web process the socket write of each one is a large share of its CPU (issue
 * 9). A write whose result nobody reads (an audit row, a ledger row, an allocation) need not be a
 * round trip of its own: marked with `deferredWrite`, it is kept on the transaction's connection and
 * sent in the same packet as the next statement on it (`write; write; next`), be that a read, a write
 * or the COMMIT. The write still happens before that statement, in the same transaction, so a later
 * read sees it; only its result and its error come later:
 *
 * - it resolves at once with a stand-in result (1 row affected, insert id 0): never read it;
 * - if it fails, the statement that carried it fails with its error (`deferredWrite` set on the
 *   error, which names it); if that statement was the COMMIT, the transaction is rolled back first,
 *   so the connection goes back to the pool clean;
 * - ROLLBACK (and ROLLBACK TO SAVEPOINT) drops what is pending: it would be undone anyway, and every
 *   pending write came after the last statement sent, so after any savepoint.
 *
 * knex's BEGIN is kept back the same way and travels with the transaction's first statement; a
 * transaction that sent nothing else sends nothing at all.
 *
 * Outside a transaction, or on SQLite (in process, nothing to save), the write runs at once: a
 * pooled connection never holds pending writes between two users.
 */
export function deferredWrite<B extends Knex.QueryBuilder>(builder: B): B {
  const context = (builder.queryContext() ?? {}) as Record<string, unknown>;
  return builder.queryContext({ ...context, [DEFER]: true }) as B;
}

const DEFER = 'deferWrite';
/** The query context key of a statement sent with the next one whose result its caller awaits (see `sentTogether`). */
const PIPELINE = 'sentWithNext';

/**
 * Runs statements of one transaction in one packet, on MySQL/MariaDB, and answers each one's result
 * (as awaiting each would): for statements that depend on nothing the others answer, but whose results
 * the caller needs (a guarded update's row count, a locking read after a write), each a round trip
 * saved. They run on the server in the order given, so a later one sees an earlier one's writes and
 * locks are taken in that order. Writes deferred before them travel in the same packet, first.
 *
 * A statement that fails rejects with its own error (not marked as a deferred write's: its caller sees
 * it, as for any statement); those after it in the packet did not run. Outside a transaction, on
 * SQLite, or for a batch too large, each statement simply runs at once, in order.
 */
export async function sentTogether<T extends readonly unknown[]>(...builders: { [K in keyof T]: PromiseLike<T[K]> & Queryable }): Promise<T> {
  const started: Array<Promise<unknown>> = [];
  for (const [i, builder] of builders.entries()) {
    if (i === builders.length - 1) {
      started.push(Promise.resolve(builder));
      break;
    }
    const kept = await sentWithNext(builder);
    started.push(kept.result);
    // Run at once and failed (SQLite, no transaction): the later ones are not run, as in a packet.
    if (kept.failedAtOnce()) break;
  }
  const settled = await Promise.allSettled(started);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * The statement, kept back on MySQL/MariaDB inside a transaction to travel with the next one on the
 * transaction (a write or read, `db.insert`'s, the COMMIT): `result` answers once that one is sent.
 * Await `result` only after sending a later statement, or it waits for ever. Elsewhere it runs at once.
 * Its error goes to `result` alone, as for any statement (the transaction may go on).
 */
export async function sentWithNext<T>(builder: PromiseLike<T> & Queryable): Promise<{ result: Promise<T>; failedAtOnce(): boolean }> {
  let queued!: () => void;
  const isQueued = new Promise<void>((resolve) => (queued = resolve));
  const context = (builder.queryContext() ?? {}) as Record<string, unknown>;
  const result = Promise.resolve(builder.queryContext({ ...context, [PIPELINE]: queued }) as PromiseLike<T>);
  let failed = false;
  // Its caller sees its error through `result`; a caller that never looks must not crash the process.
  result.catch(() => (failed = true));
  // Kept back (it answers once the next statement is sent) or, where nothing is kept back, done.
  await Promise.race([isQueued, result.then(noop, noop)]);
  return { result, failedAtOnce: () => failed };
}

interface Queryable {
  queryContext(context?: unknown): unknown;
}

function noop(): void {}

/** A batch larger than this is sent at once by the write that would grow it (max_allowed_packet is 16 MB by default). */
const PENDING_MAX_CHARS = 1 << 20;

/** One packet sent to the server: its SQL, how many statements it carries, the transaction it ran in. */
export interface RoundTrip {
  sql: string;
  statements: number;
  tx?: string;
}

/**
 * Calls `listener` for each packet of statements sent to MySQL/MariaDB through `knex` (nothing on
 * SQLite), for tests that pin what an operation costs in round trips. Returns the unsubscribe.
 */
export function observeRoundTrips(knex: Knex, listener: (trip: RoundTrip) => void): () => void {
  const config = knex.client.config as object;
  const set = observers.get(config) ?? new Set();
  observers.set(config, set);
  set.add(listener);
  return () => set.delete(listener);
}

/** Keyed by the client's config: a transaction's client is a copy of the knex client that shares it. */
const observers = new WeakMap<object, Set<(trip: RoundTrip) => void>>();

interface QueryObject {
  sql: string;
  bindings?: unknown[];
  options?: Record<string, unknown>;
  queryContext?: Record<string, unknown>;
  response?: unknown;
}

interface MysqlConnection {
  __knexTxId?: string;
  __knex__disposed?: unknown;
  format(sql: string, values: unknown[]): string;
  query(options: Record<string, unknown>, values: unknown[] | undefined, callback: (err: Error | null, rows: any, fields: any) => void): { _rows?: unknown[] };
}

/**
 * What a connection holds between statements: the writes waiting (already formatted with their
 * values), the savepoints open, and the error of a deferred write that failed in this transaction.
 */
interface ConnectionState {
  pending: Pending[];
  savepoints: string[];
  /** A failed deferred write, and the savepoints open when it was queued (rolling back to one undoes it). */
  failed?: { error: Error; after: Set<string> };
}

/** A statement kept back: its SQL, and for one sent with `sentTogether`, where its result goes. */
interface Pending {
  sql: string;
  answer?: (error: Error | null, rows?: unknown, fields?: unknown) => void;
}

const states = new WeakMap<MysqlConnection, ConnectionState>();

/** Statements dropped unsent (a rollback): a caller awaiting one learns that it never ran. */
function drop(pending: Pending[], why: string): void {
  for (const p of pending) p.answer?.(new Error(`statement not sent (${why}): ${p.sql.slice(0, 200)}`));
}

function stateOf(connection: MysqlConnection): ConnectionState {
  let state = states.get(connection);
  if (!state) states.set(connection, (state = { pending: [], savepoints: [] }));
  return state;
}

const BEGIN: Pending = { sql: 'BEGIN' };

/** What a statement kept back answers at once: one row affected, no id. */
function standIn(obj: QueryObject): QueryObject {
  obj.response = [{ ...STAND_IN }, undefined];
  return obj;
}

const STAND_IN = { affectedRows: 1, insertId: 0, changedRows: 0, warningStatus: 0, fieldCount: 0, info: '', serverStatus: 0 };

/** Transaction control statements, the only ones that change what a connection holds. */
const CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK TO SAVEPOINT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b\s*(\w*)/i;

/**
 * Makes `knex` (a mysql2 client) defer marked writes. knex's transactions query through a copy made
 * from `client.constructor.prototype`, so the override must live on a prototype, not on the instance;
 * the client is given a subclass rather than a custom `client` in the config because code across the
 * product reads `client.config.client` as the dialect's name ('mysql2').
 */
export function installDeferredWrites(knex: Knex): void {
  const client = knex.client as any;
  Object.setPrototypeOf(client, deferringSubclassOf(client.constructor).prototype);
}

const subclasses = new WeakMap<Function, Function>();

type BaseQuery = (connection: MysqlConnection, obj: QueryObject) => Promise<QueryObject>;

function deferringSubclassOf(Base: any): Function {
  const known = subclasses.get(Base);
  if (known) return known;
  const baseQuery: BaseQuery = Base.prototype._query;
  const baseStream: (connection: MysqlConnection, obj: QueryObject, ...rest: unknown[]) => Promise<unknown> = Base.prototype._stream;
  class DeferringClient extends Base {
    async _query(connection: MysqlConnection, param: QueryObject | string): Promise<QueryObject> {
      const obj: QueryObject = typeof param === 'string' || !param ? { sql: param as string } : param;
      const state = stateOf(connection);
      const queued = obj.queryContext?.[PIPELINE] as (() => void) | undefined;
      if ((obj.queryContext?.[DEFER] || queued) && connection.__knexTxId && obj.sql) {
        const sql = withoutTerminator(connection.format(obj.sql, obj.bindings ?? []));
        const size = state.pending.reduce((n, p) => n + p.sql.length, sql.length);
        if (size <= PENDING_MAX_CHARS) {
          if (!queued) {
            state.pending.push({ sql });
            return standIn(obj);
          }
          // Answered when the statement that carries it comes back.
          return new Promise<QueryObject>((resolve, reject) => {
            state.pending.push({ sql, answer: (error, rows, fields) => {
              if (error) return reject(error);
              obj.response = [rows, fields];
              resolve(obj);
            } });
            queued();
          });
        }
        // Too much waiting: this statement carries the batch now, and reports as a statement of its own.
      }
      const control = CONTROL.exec(obj.sql ?? '');
      if (!control) return this.send(connection, obj, state);
      const [, verb, name] = control;
      switch (verb.toUpperCase()) {
        case 'BEGIN':
          if (state.pending.length) this.logger.warn(`Deferred writes dropped: ${state.pending.length} left on a connection by an earlier transaction`);
          drop(state.pending, 'left by an earlier transaction');
          states.delete(connection);
          if (!connection.__knexTxId || !/^\s*BEGIN;?\s*$/i.test(obj.sql)) return this.sendOne(connection, obj);
          // knex's BEGIN is deferred too: it takes no lock and starts no snapshot (InnoDB takes that at the
          // first read), so it travels with the transaction's first statement, a round trip saved on each.
          stateOf(connection).pending.push(BEGIN);
          return standIn(obj);
        case 'ROLLBACK':
          states.delete(connection);
          drop(state.pending, 'the transaction was rolled back');
          // Nothing reached the server since BEGIN was kept back: there is nothing to roll back.
          if (state.pending[0] === BEGIN) return standIn(obj);
          return this.sendOne(connection, obj);
        case 'ROLLBACK TO SAVEPOINT':
          // Every pending write was queued after the last statement sent, so after this savepoint.
          drop(state.pending, 'rolled back to a savepoint');
          state.pending = [];
          if (state.failed?.after.has(name)) state.failed = undefined;
          state.savepoints = upTo(state.savepoints, name, true);
          return this.sendOne(connection, obj);
        case 'COMMIT':
          if (state.failed) {
            // A caller swallowed the error of the statement that carried a failed deferred write: the
            // transaction lacks a write it asked for, so it must not commit.
            const { error } = state.failed;
            states.delete(connection);
            await this.sendOne(connection, { sql: 'ROLLBACK' });
            throw error;
          }
          // A transaction that sent nothing has nothing to commit.
          if (state.pending.length === 1 && state.pending[0] === BEGIN) {
            states.delete(connection);
            return standIn(obj);
          }
          try {
            return await this.send(connection, obj, state);
          } catch (error) {
            // The COMMIT never ran (a packet stops at its first error): end the transaction here, or knex
            // would hand the pool a connection still inside it.
            await this.sendOne(connection, { sql: 'ROLLBACK' }).catch((e: unknown) => (connection.__knex__disposed = e));
            throw error;
          } finally {
            states.delete(connection);
          }
        default: {
          const result = await this.send(connection, obj, state);
          if (/^SAVEPOINT$/i.test(verb)) state.savepoints.push(name);
          else state.savepoints = upTo(state.savepoints, name, false);
          return result;
        }
      }
    }

    /** A stream does not go through `_query`: what is pending is sent first, for the stream to see it. */
    async _stream(connection: MysqlConnection, obj: QueryObject, ...rest: unknown[]): Promise<unknown> {
      const state = stateOf(connection);
      if (state.pending.length) await this.send(connection, { sql: 'DO 0', bindings: [] }, state);
      return baseStream.call(this, connection, obj, ...rest);
    }

    sendOne(connection: MysqlConnection, obj: QueryObject): Promise<QueryObject> {
      notify(this.config, { sql: obj.sql, statements: 1, tx: connection.__knexTxId });
      return baseQuery.call(this, connection, obj);
    }

    /**
     * Sends `obj` with the pending writes before it, in one packet, answering for `obj` alone. Each
     * statement is formatted on its own (mysql2 escapes values client-side, as for every query), and
     * the whole goes without values: a `?` inside an escaped string must not be taken for a placeholder.
     */
    send(connection: MysqlConnection, obj: QueryObject, state: ConnectionState): Promise<QueryObject> {
      const pending = state.pending;
      if (!pending.length) return this.sendOne(connection, obj);
      state.pending = [];
      const sql = [...pending.map((p) => p.sql), withoutTerminator(connection.format(obj.sql, obj.bindings ?? []))].join(';\n');
      notify(this.config, { sql, statements: pending.length + 1, tx: connection.__knexTxId });
      return new Promise<QueryObject>((resolve, reject) => {
        const command = connection.query({ ...obj.options, sql }, undefined, (err, rows, fields) => {
          if (!err) {
            // mysql2 answers a packet of statements with one result (and fields) per statement, in order.
            pending.forEach((p, i) => p.answer?.(null, (rows as unknown[])[i], (fields as unknown[] | undefined)?.[i]));
            const results = (rows as unknown[]).slice(pending.length);
            const ownFields = (fields as unknown[] | undefined)?.slice(pending.length);
            obj.response = results.length === 1 ? [results[0], ownFields?.[0]] : [results, ownFields];
            return resolve(obj);
          }
          // The statements that succeeded left their results behind: their count names the one that failed.
          const done = (command._rows ?? []) as unknown[];
          const failed = done.length;
          pending.forEach((p, i) => {
            if (i < failed) p.answer?.(null, done[i]);
            else if (i === failed) p.answer?.(err);
            else p.answer?.(notRun(err, p.sql));
          });
          if (failed < pending.length && !pending[failed].answer) {
            // A write nobody awaits: the statement that carried it reports it, and the transaction may not commit.
            annotate(err, pending[failed].sql);
            state.failed = { error: err, after: new Set(state.savepoints) };
          }
          reject(err);
        });
      });
    }
  }
  subclasses.set(Base, DeferringClient);
  return DeferringClient;
}

/** A statement of a packet after the one that failed: it never ran. */
function notRun(cause: Error, sql: string): Error {
  return Object.assign(new Error(`statement not run, an earlier one of its packet failed (${cause.message}): ${sql.slice(0, 200)}`), { cause });
}

/** The error of a deferred write, reported by the statement that carried it: say which write it was. */
function annotate(err: Error, sql: string): void {
  const shown = sql.length > 500 ? `${sql.slice(0, 500)}…` : sql;
  Object.assign(err, { deferredWrite: sql });
  err.message = `deferred write failed (${shown}): ${err.message}`;
}

/** Whether a database error came from a deferred write rather than from the statement that reported it. */
export function isDeferredWriteError(error: unknown): boolean {
  return typeof (error as { deferredWrite?: unknown })?.deferredWrite === 'string';
}

/** The savepoints still open once `name` is released (or rolled back to, which keeps it). */
function upTo(savepoints: string[], name: string, keep: boolean): string[] {
  const at = savepoints.indexOf(name);
  return at < 0 ? savepoints : savepoints.slice(0, keep ? at + 1 : at);
}

function notify(config: object, trip: RoundTrip): void {
  const set = observers.get(config);
  if (set) for (const listener of set) listener(trip);
}

function withoutTerminator(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
