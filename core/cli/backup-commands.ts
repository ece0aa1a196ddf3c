import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/load-config';
import { sqliteFileOf } from '../db/connection';
import type * as MysqlBackup from '../db/backup/mysql-backup';
import { backupSqlite, isSqliteFile, restoreSqlite, type BackupSummary } from '../db/backup/sqlite-backup';
import { checkDatabase, print, redact } from './host';

// mysql2 loads only for a backup or restore of MySQL/MariaDB, not at every start of `tessera serve`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mysqlBackup = (): typeof MysqlBackup => require('../db/backup/mysql-backup');

/**
 * `tessera backup [--out FILE]` and `tessera restore FILE [--force]`, for the database DATABASE_URL
 * names: SQLite through its online backup API, MySQL/MariaDB as a consistent SQL dump written by
 * Tessera itself (no client tools needed). Module states and migration journals are tables like
 * any other, so they travel with the data.
 */
export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('copy the whole database into one file, consistently, while Tessera runs')
    .option('--out <file>', 'where to write it; default backups/tessera-<date>-<time>.sqlite (SQLite) or .sql.gz (MySQL/MariaDB)')
    .action(async (options: { out?: string }) => {
      const config = loadConfig();
      const sqlite = config.databaseUrl.startsWith('sqlite://');
      if (!sqlite) await checkDatabase(config);
      const out = path.resolve(options.out ?? path.join('backups', `tessera-${stamp(new Date())}.${sqlite ? 'sqlite' : 'sql.gz'}`));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      // Written beside the target and renamed at the end: a backup cut short never looks like a whole one.
      const partial = `${out}.partial${path.extname(out)}`;
      try {
        const summary = sqlite ? await backupSqlite(sqliteFileOf(config.databaseUrl, config.rootDir), partial) : await mysqlBackup().backupMysql(config.databaseUrl, partial);
        fs.renameSync(partial, out);
        print(`backed up ${redact(config.databaseUrl)} to ${out} (${describe(summary)})`);
      } finally {
        fs.rmSync(partial, { force: true });
      }
    });

  program
    .command('restore')
    .description('replace the whole database with a backup; stop the web and worker processes first')
    .argument('<file>', 'a file made by tessera backup')
    .option('--force', 'restore even over a database whose schema is newer than the backup')
    .action(async (file: string, options: { force?: boolean }) => {
      const config = loadConfig();
      const source = path.resolve(file);
      if (!fs.existsSync(source)) throw new Error(`no backup at ${source}`);
      const sqlite = config.databaseUrl.startsWith('sqlite://');
      if (isSqliteFile(source) !== sqlite) {
        throw new Error(`${source} is a ${isSqliteFile(source) ? 'SQLite' : 'MySQL/MariaDB'} backup; DATABASE_URL names a ${sqlite ? 'SQLite' : 'MySQL/MariaDB'} database`);
      }
      if (!sqlite) await checkDatabase(config);
      const summary = sqlite ? await restoreSqlite(source, sqliteFileOf(config.databaseUrl, config.rootDir), !!options.force) : await mysqlBackup().restoreMysql(source, config.databaseUrl, !!options.force);
      print(`restored ${source} into ${redact(config.databaseUrl)} (${describe(summary)})`);
    });
}

function describe(s: BackupSummary): string {
  return `${s.tables} tables, ${s.rows} rows, ${(s.bytes / 1024 / 1024).toFixed(1)} MB`;
}

function stamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}
