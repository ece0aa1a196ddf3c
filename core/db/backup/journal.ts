/** What a database's schema is made of: the migrations applied, per module ('core' for the core). */
export interface SchemaJournal {
  migrations: Array<{ module: string; name: string }>;
  modules: Array<{ name: string; version: string; state: string }>;
}

export class RestoreRefusedError extends Error {}

/**
 * Restoring over a database whose schema has moved on would hand today's code yesterday's tables and
 * lose what the newer migrations made: refused, unless forced, naming the migrations the backup lacks.
 */
export function checkRestorable(backup: SchemaJournal, target: SchemaJournal | null, force: boolean): void {
  if (!target || force) return;
  const known = new Set(backup.migrations.map((m) => `${m.module}/${m.name}`));
  const newer = target.migrations.map((m) => `${m.module}/${m.name}`).filter((m) => !known.has(m));
  if (!newer.length) return;
  const shown = newer.slice(0, 5).join(', ') + (newer.length > 5 ? ` and ${newer.length - 5} more` : '');
  throw new RestoreRefusedError(`the database has migrations the backup lacks (${shown}): its schema is newer than the backup's. Restore with --force to replace it anyway`);
}

/** Reads the journal through any query function: knex, better-sqlite3 or mysql2 alike. Null when there is none. */
export async function readJournal(all: (sql: string) => Promise<Array<Record<string, unknown>>>, hasTable: (name: string) => Promise<boolean>): Promise<SchemaJournal | null> {
  if (!(await hasTable('core_migrations'))) return null;
  const migrations = (await all('SELECT module, name FROM core_migrations ORDER BY module, name')).map((r) => ({ module: String(r.module), name: String(r.name) }));
  const modules = (await hasTable('core_modules')) ? (await all('SELECT name, version, state FROM core_modules ORDER BY name')).map((r) => ({ name: String(r.name), version: String(r.version), state: String(r.state) })) : [];
  return { migrations, modules };
}
