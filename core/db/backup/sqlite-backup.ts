import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { checkRestorable, readJournal, type SchemaJournal } from './journal';

export interface BackupSummary {
  tables: number;
  rows: number;
  bytes: number;
}

const SQLITE_MAGIC = 'SQLite format 3\0';

export function isSqliteFile(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    fs.readSync(fd, head, 0, 16, 0);
    return head.toString('latin1') === SQLITE_MAGIC;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Copies a live SQLite database with SQLite's online backup API: a consistent copy, page by page,
 * while the server goes on writing (a write during the copy makes it start over from that page).
 */
export async function backupSqlite(databaseFile: string, out: string): Promise<BackupSummary> {
  if (!fs.existsSync(databaseFile)) throw new Error(`there is no database at ${databaseFile}`);
  const db = new Database(databaseFile, { fileMustExist: true });
  try {
    await db.backup(out);
  } finally {
    db.close();
  }
  // One self-contained file: out of WAL mode, so no -wal or -shm file is needed beside it.
  const copy = new Database(out, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  return summarize(out);
}

/** Replaces the database with the backup's pages, through the same API, after checking its journal. */
export async function restoreSqlite(backupFile: string, databaseFile: string, force: boolean): Promise<BackupSummary> {
  const source = new Database(backupFile, { readonly: true, fileMustExist: true });
  try {
    const journal = await journalOf(source);
    if (!journal) throw new Error(`${backupFile} is a SQLite file but not a Tessera database (it has no migration journal)`);
    const target = fs.existsSync(databaseFile) ? new Database(databaseFile, { fileMustExist: true }) : null;
    try {
      checkRestorable(journal, target ? await journalOf(target) : null, force);
    } finally {
      target?.close();
    }
    fs.mkdirSync(path.dirname(databaseFile), { recursive: true });
    await source.backup(databaseFile);
  } finally {
    source.close();
  }
  return summarize(databaseFile);
}

export async function sqliteJournal(file: string): Promise<SchemaJournal | null> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return await journalOf(db);
  } finally {
    db.close();
  }
}

async function journalOf(db: InstanceType<typeof Database>): Promise<SchemaJournal | null> {
  return readJournal(
    async (sql) => db.prepare(sql).all() as Array<Record<string, unknown>>,
    async (name) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name),
  );
}

function summarize(file: string): BackupSummary {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map((t) => t.name);
    const rows = tables.reduce((n, t) => n + Number((db.prepare(`SELECT COUNT(*) AS n FROM "${t.replace(/"/g, '""')}"`).get() as { n: number }).n), 0);
    return { tables: tables.length, rows, bytes: fs.statSync(file).size };
  } finally {
    db.close();
  }
}
