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
 * Outside a transaction, or on SQLite (in process, nothing to save), the write runs at once: a
 * pooled connection never holds pending writes between two users.
 */
export function deferredWrite<B extends Knex.QueryBuilder>(builder: B): B {
  const context = (builder.queryContext() ?? {}) as Record<string, unknown>;
  return builder.queryContext({ ...context, [DEFER]: true }) as B;
}

const DEFER = 'deferWrite';

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

/** The writes waiting on each connection, already formatted with their values. */
const pendingWrites = new WeakMap<MysqlConnection, string[]>();

const STAND_IN = { affectedRows: 1, insertId: 0, changedRows: 0, warningStatus: 0, fieldCount: 0, info: '', serverStatus: 0 };

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

function deferringSubclassOf(Base: any): Function {
  const known = subclasses.get(Base);
  if (known) return known;
  const baseQuery: (connection: MysqlConnection, obj: QueryObject) => Promise<QueryObject> = Base.prototype._query;
  const baseStream: (connection: MysqlConnection, obj: QueryObject, ...rest: unknown[]) => Promise<unknown> = Base.prototype._stream;
  class DeferringClient extends Base {
    _query(connection: MysqlConnection, param: QueryObject | string): Promise<QueryObject> {
      const obj: QueryObject = typeof param === 'string' || !param ? { sql: param as string } : param;
      const pending = pendingWrites.get(connection);
      if (obj.queryContext?.[DEFER] && connection.__knexTxId && obj.sql) {
        const sql = withoutTerminator(connection.format(obj.sql, obj.bindings ?? []));
        const size = (pending ?? []).reduce((n, s) => n + s.length, sql.length);
        if (size <= PENDING_MAX_CHARS) {
          if (pending) pending.push(sql);
          else pendingWrites.set(connection, [sql]);
          obj.response = [{ ...STAND_IN }, undefined];
          return Promise.resolve(obj);
        }
        // Too much waiting: this write carries the batch now, and reports as a statement of its own.
      }
      if (!pending?.length) return this.sendOne(connection, obj, baseQuery);
      pendingWrites.delete(connection);
      if (/^\s*ROLLBACK\b/i.test(obj.sql)) return this.sendOne(connection, obj, baseQuery);
      if (/^\s*BEGIN\b/i.test(obj.sql)) {
        // Never expected: a transaction ended without COMMIT or ROLLBACK through here. Its writes are not
        // this transaction's; dropping them is the only safe choice left, and it is said aloud.
        this.logger.warn(`Deferred writes dropped: ${pending.length} left on a connection from an earlier transaction`);
        return this.sendOne(connection, obj, baseQuery);
      }
      return this.sendBatch(connection, obj, pending, baseQuery);
    }

    /** A stream does not go through `_query`: what is pending is sent first, for the stream to see it. */
    async _stream(connection: MysqlConnection, obj: QueryObject, ...rest: unknown[]): Promise<unknown> {
      const pending = pendingWrites.get(connection);
      if (pending?.length) {
        pendingWrites.delete(connection);
        await this.sendBatch(connection, { sql: 'DO 0', bindings: [] }, pending, baseQuery);
      }
      return baseStream.call(this, connection, obj, ...rest);
    }

    sendOne(connection: MysqlConnection, obj: QueryObject, query: typeof baseQuery): Promise<QueryObject> {
      notify(this.config, { sql: obj.sql, statements: 1, tx: connection.__knexTxId });
      return query.call(this, connection, obj);
    }

    /**
     * Sends the pending writes and `obj` in one packet, answering for `obj` alone. Each statement is
     * formatted on its own (mysql2 escapes values client-side, as it does for every query), and the
     * whole goes without values: a `?` inside an escaped string must not be taken for a placeholder.
     */
    sendBatch(connection: MysqlConnection, obj: QueryObject, pending: string[], query: typeof baseQuery): Promise<QueryObject> {
      const own = withoutTerminator(connection.format(obj.sql, obj.bindings ?? []));
      const sql = [...pending, own].join(';\n');
      notify(this.config, { sql, statements: pending.length + 1, tx: connection.__knexTxId });
      const committing = /^\s*COMMIT\b/i.test(obj.sql);
      return new Promise<QueryObject>((resolve, reject) => {
        const command = connection.query({ ...obj.options, sql }, undefined, (err, rows, fields) => {
          if (!err) {
            // mysql2 answers a packet of statements with one result (and fields) per statement, in order.
            const results = (rows as unknown[]).slice(pending.length);
            const ownFields = (fields as unknown[] | undefined)?.slice(pending.length);
            obj.response = results.length === 1 ? [results[0], ownFields?.[0]] : [results, ownFields];
            return resolve(obj);
          }
          // The statements that succeeded left their results behind: the count names the one that failed.
          const failed = command._rows?.length ?? 0;
          if (failed < pending.length) annotate(err, pending[failed]);
          if (!committing) return reject(err);
          // The COMMIT never ran (a packet stops at its first error): end the transaction here, or knex
          // would hand the pool a connection still inside it.
          query.call(this, connection, { sql: 'ROLLBACK' }).then(
            () => reject(err),
            (rollbackError: unknown) => {
              connection.__knex__disposed = rollbackError;
              reject(err);
            },
          );
        });
      });
    }
  }
  subclasses.set(Base, DeferringClient);
  return DeferringClient;
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

function notify(config: object, trip: RoundTrip): void {
  const set = observers.get(config);
  if (set) for (const listener of set) listener(trip);
}

function withoutTerminator(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}
