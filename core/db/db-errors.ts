import { isDeferredWriteError } from './deferred-writes';

/**
 * What a database error means, on SQLite and MySQL/MariaDB alike: the two name the same conflicts
 * with different codes, and code that settles concurrency by the database has to read both.
 */
type DbError = { code?: string; errno?: number; message?: string };

/** A unique key refused the row: someone else wrote it first (an idempotent write's second arrival). */
export function isDuplicateKey(error: unknown): boolean {
  const e = error as DbError;
  // A deferred write's duplicate, reported by the statement that carried it, is not that statement's
  // own: the caller catching its own duplicate must not take it for one (see ./deferred-writes.ts).
  if (isDeferredWriteError(e)) return false;
  return e?.code === 'ER_DUP_ENTRY' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed|Duplicate entry/.test(e?.message ?? '');
}

/** The database gave the transaction up (a deadlock victim, a lock wait too long, a busy file): nothing of it was kept, so running it again is safe. */
export function isTransientConflict(error: unknown): boolean {
  const code = (error as DbError)?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}

/**
 * Runs `work` (a transaction, or one guarded statement) again when the database gave it up, with a growing,
 * jittered pause so the two victims of one deadlock do not meet again; after `attempts` losses, or on any
 * other error, the error is thrown. Safe only for work that keeps nothing when it fails.
 */
export async function retryOnConflict<T>(work: () => PromiseLike<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isTransientConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, 4 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}
