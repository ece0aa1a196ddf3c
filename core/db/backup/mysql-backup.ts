import fs from 'node:fs';
import readline from 'node:readline';
import { once } from 'node:events';
import { createGunzip, createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { mysqlServerOf } from '../connection';
import { checkRestorable, readJournal, type SchemaJournal } from './journal';
import type { BackupSummary } from './sqlite-backup';

const HEADER = '-- tessera-backup: ';
const FOOTER = '-- tessera-backup-end: ';
/** Rows of one INSERT stop growing past this many bytes of SQL (MariaDB takes 16 MB by default). */
const STATEMENT_BYTES = 1024 * 1024;

interface Header {
  format: 1;
  dialect: 'mysql';
  created_at: string;
  journal: SchemaJournal;
}

/**
 * Connection options from DATABASE_URL. Every value is read as text or bytes (dates, decimals and big
 * numbers included), and the session is in UTC, so what is written back is exactly what was read.
 */
function connectionOptions(url: string): mysql.ConnectionOptions {
  return {
    ...mysqlServerOf(url),
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
    // MySQL's JSON columns would come back parsed; their text is what goes back in.
    typeCast: (field, next) => (field.type === 'JSON' ? field.string('utf8') : next()),
  };
}

/**
 * Dumps the database as SQL, one statement a line, from one REPEATABLE READ transaction started WITH
 * CONSISTENT SNAPSHOT: every table as it was at one instant, while the application goes on writing.
 * The first line carries the migration journal (so a restore can compare schemas without reading
 * the rest), the last one says the dump is complete. A name ending in `.gz` is gzipped.
 */
export async function backupMysql(url: string, out: string): Promise<BackupSummary> {
  const conn = mysql.createConnection(connectionOptions(url));
  const db = conn.promise();
  const file = fs.createWriteStream(out);
  const sink: Writable = out.endsWith('.gz') ? createGzip() : file;
  if (sink !== file) sink.pipe(file);
  const write = async (line: string) => {
    if (!sink.write(line + '\n')) await once(sink, 'drain');
  };
  let rows = 0;
  let tables: string[] = [];
  try {
    await db.query("SET SESSION time_zone = '+00:00'");
    await db.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await db.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    tables = ((await db.query('SHOW FULL TABLES WHERE Table_type = ?', ['BASE TABLE']))[0] as Array<Record<string, string>>).map((r) => Object.values(r)[0]).sort();
    const journal = await readJournal(
      async (sql) => (await db.query(sql))[0] as Array<Record<string, unknown>>,
      async (name) => tables.includes(name),
    );
    if (!journal) throw new Error('this database has no migration journal: it is not a Tessera database');
    const header: Header = { format: 1, dialect: 'mysql', created_at: new Date().toISOString(), journal };
    await write(HEADER + JSON.stringify(header));
    await write('SET FOREIGN_KEY_CHECKS = 0;');
    for (const table of tables) {
      const [[created]] = (await db.query('SHOW CREATE TABLE ??', [table])) as unknown as [[Record<string, string>]];
      await write(`DROP TABLE IF EXISTS ${mysql.escapeId(table)};`);
      // SHOW CREATE TABLE escapes the line breaks inside quoted text; the others only lay it out.
      await write(created['Create Table'].replace(/\n\s*/g, ' ') + ';');
      rows += await dumpRows(conn, table, write);
    }
    await write('SET FOREIGN_KEY_CHECKS = 1;');
    await write(FOOTER + JSON.stringify({ tables: tables.length, rows }));
    await db.query('COMMIT');
  } finally {
    sink.end();
    await once(file, 'close');
    await db.end().catch(() => undefined);
  }
  return { tables: tables.length, rows, bytes: fs.statSync(out).size };
}

async function dumpRows(conn: mysql.Connection, table: string, write: (line: string) => Promise<void>): Promise<number> {
  const insert = `INSERT INTO ${mysql.escapeId(table)} VALUES `;
  let values: string[] = [];
  let size = 0;
  let rows = 0;
  const flush = async () => {
    if (values.length) await write(insert + values.join(',') + ';');
    values = [];
    size = 0;
  };
  const stream = conn.query({ sql: `SELECT * FROM ${mysql.escapeId(table)}`, rowsAsArray: true }).stream({ highWaterMark: 200 });
  for await (const row of stream as AsyncIterable<unknown[]>) {
    const tuple = '(' + row.map((v) => mysql.escape(v as mysql.SqlValue)).join(',') + ')';
    if (size + tuple.length > STATEMENT_BYTES) await flush();
    values.push(tuple);
    size += tuple.length;
    rows++;
  }
  await flush();
  return rows;
}

/** The lines of a dump, gzipped or not; a damaged gzip stream fails the reading. */
async function* lines(file: string): AsyncGenerator<string> {
  const head = Buffer.alloc(2);
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, head, 0, 2, 0);
  fs.closeSync(fd);
  const raw = fs.createReadStream(file);
  const input = head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  let failure: Error | null = null;
  input.on('error', (error: Error) => (failure = error));
  yield* readline.createInterface({ input, crlfDelay: Infinity });
  if (failure) throw new Error(`${file} is damaged (${(failure as Error).message}): it cannot be restored`);
}

/** Reads a dump's header, and checks it is whole: a dump cut short is refused before anything is dropped. */
export async function readMysqlDump(file: string): Promise<{ header: Header; footer: { tables: number; rows: number } }> {
  let header: Header | null = null;
  let footer: { tables: number; rows: number } | null = null;
  for await (const line of lines(file)) {
    if (!header) {
      if (!line.startsWith(HEADER)) throw new Error(`${file} is not a Tessera backup (its first line is not a tessera-backup header)`);
      header = JSON.parse(line.slice(HEADER.length)) as Header;
    } else if (line.startsWith(FOOTER)) footer = JSON.parse(line.slice(FOOTER.length));
  }
  if (!header) throw new Error(`${file} is empty`);
  if (!footer) throw new Error(`${file} is cut short (it has no end line): it cannot be restored`);
  return { header, footer };
}

/**
 * Replaces the whole database with the dump's: after checking the dump is whole and its journal is
 * not older than the database's, every table is dropped and the dump's statements run one by one.
 */
export async function restoreMysql(file: string, url: string, force: boolean): Promise<BackupSummary> {
  const { footer, header } = await readMysqlDump(file);
  const db = await mysqlPromise.createConnection(connectionOptions(url));
  try {
    await db.query("SET SESSION time_zone = '+00:00'");
    const existing = ((await db.query('SHOW FULL TABLES WHERE Table_type = ?', ['BASE TABLE']))[0] as Array<Record<string, string>>).map((r) => Object.values(r)[0]);
    const current = await readJournal(
      async (sql) => (await db.query(sql))[0] as Array<Record<string, unknown>>,
      async (name) => existing.includes(name),
    );
    checkRestorable(header.journal, current, force);
    await db.query('SET FOREIGN_KEY_CHECKS = 0');
    for (const table of existing) await db.query(`DROP TABLE ${mysql.escapeId(table)}`);
    for await (const line of lines(file)) {
      if (!line || line.startsWith('--')) continue;
      await db.query(line);
    }
    await db.query('SET FOREIGN_KEY_CHECKS = 1');
  } finally {
    await db.end();
  }
  return { tables: footer.tables, rows: footer.rows, bytes: fs.statSync(file).size };
}
