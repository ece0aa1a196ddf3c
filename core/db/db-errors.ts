/**
 * What a database error means, on SQLite and MySQL/MariaDB alike: the two name the same conflicts
 * with different codes, and code that settles concurrency by the database has to read both.
 */
type DbError = { code?: string; errno?: number; message?: string };

/** A unique key refused the row: someone else wrote it first (an idempotent write's second arrival). */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as DbError;
  return e?.code === 'ER_DUP_ENTRY' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed|Duplicate entry/.test(e?.message ?? '');
}

/** The database gave the transaction up (a deadlock victim, a lock wait too long, a busy file): nothing of it was kept, so running it again is safe. */
export function isTransientConflict(error: unknown): boolean {
  const code = (error as DbError)?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}
