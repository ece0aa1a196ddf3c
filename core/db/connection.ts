import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { installDeferredWrites } from './deferred-writes';

/**
 * Opens the database named by a URL: `sqlite://<file>` (relative to `baseDir`, or `:memory:`), or
 * `mysql://user:password@host:port/database` (MariaDB too).
 */
export function openDatabase(url: string, baseDir: string, options: OpenOptions = {}): Knex {
  if (url.startsWith('sqlite://')) return openSqlite(url.slice('sqlite://'.length), baseDir, options);
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) return openMysql(url.replace(/^mariadb:/, 'mysql:'), options);
  throw new Error(`Unsupported database URL: ${url}`);
}

export interface OpenOptions {
  /** Keep knex from printing its own warnings (a failed connection with its stack) on the console. */
  quiet?: boolean;
}

const QUIET_LOG = { warn() {}, error() {}, deprecate() {}, debug() {} };

/** The file a `sqlite://` URL names, resolved as the server resolves it. */
export function sqliteFileOf(url: string, baseDir: string): string {
  const file = url.slice('sqlite://'.length);
  return file === ':memory:' ? file : path.resolve(baseDir, file);
}

function openSqlite(file: string, baseDir: string, options: OpenOptions): Knex {
  const filename = sqliteFileOf(`sqlite://${file}`, baseDir);
  if (filename !== ':memory:') fs.mkdirSync(path.dirname(filename), { recursive: true });
  return knexFactory({
    ...(options.quiet ? { log: QUIET_LOG } : {}),
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    // One connection: SQLite has one writer, and transactions must not interleave on a shared handle.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: any, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        if (filename !== ':memory:') conn.pragma('journal_mode = WAL');
        done(null, conn);
      },
    },
  });
}

/** Where a `mysql://` (or `mariadb://`) URL points, and as whom. */
export function mysqlServerOf(url: string): { host: string; port: number; user: string; password: string; database: string } {
  const parsed = new URL(url.replace(/^mariadb:/, 'mysql:'));
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.slice(1),
  };
}

function openMysql(url: string, options: OpenOptions): Knex {
  const parsed = new URL(url);
  const knex = knexFactory({
    ...(options.quiet ? { log: QUIET_LOG } : {}),
    client: 'mysql2',
    connection: {
      ...mysqlServerOf(url),
      charset: 'utf8mb4',
      timezone: 'Z',
      // Business dates are calendar days: keep DATE columns as 'YYYY-MM-DD' strings, not shifted Dates.
      dateStrings: ['DATE'],
      supportBigNumbers: true,
      // Deferred writes (./deferred-writes.ts) ride in one packet with the next statement. This opens no
      // injection: every value reaches the server escaped by knex/mysql2's bindings, never spliced into
      // the SQL text, so no value can end a statement and start another. (Stacked statements would make
      // a hand-built SQL string with a user's text in it worse than today: the rule stays bindings only.)
      multipleStatements: true,
    } as any,
    pool: { min: 0, max: Number(parsed.searchParams.get('pool') ?? 10) },
  });
  installDeferredWrites(knex);
  return knex;
}

export function dialectOf(knex: Knex): 'sqlite' | 'mysql' {
  return String(knex.client.config.client).startsWith('mysql') ? 'mysql' : 'sqlite';
}

/** Names of the tables in the current database. */
export async function listTables(knex: Knex): Promise<string[]> {
  if (dialectOf(knex) === 'mysql') {
    const rows = await knex('information_schema.tables').select('table_name as name').whereRaw('table_schema = database()');
    return rows.map((r: any) => r.name ?? r.NAME ?? r.TABLE_NAME);
  }
  const rows = await knex('sqlite_master').select('name').where({ type: 'table' }).andWhereNot('name', 'like', 'sqlite_%');
  return rows.map((r: any) => r.name);
}
