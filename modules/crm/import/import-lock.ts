import { type ScopedDb, isDuplicateKey } from 'tessera/core';

const LOCKS = 'crm_import_locks';

/**
 * Makes sure the company has its lock row. Done outside the batch's transaction: two first imports of
 * a company inserting it inside their transactions could deadlock on the gap before the row exists.
 */
export async function ensureImportLock(db: ScopedDb, companyId: number): Promise<void> {
  db.assertCompany(companyId);
  const knex = db.unscoped('the import lock row of the caller company (asserted above)');
  if (await knex(LOCKS).where({ company_id: companyId }).first('company_id')) return;
  await knex(LOCKS).insert({ company_id: companyId, taken_at: null }).onConflict('company_id').ignore();
}

/**
 * Takes the company's import lock until the transaction ends. It must be the transaction's first
 * statement: on MySQL a REPEATABLE READ snapshot starts at the first plain read, so reads made after
 * the lock see every batch another import committed while this one waited; an UPDATE also makes
 * SQLite's transaction a writer at once.
 */
export async function takeImportLock(db: ScopedDb, companyId: number): Promise<void> {
  if (!db.isInTransaction) throw new Error('The import lock is taken inside the transaction it guards');
  await db.queryCompany(companyId, LOCKS).update({ taken_at: new Date() });
}

/** Errors after which a batch is planned again: the database changed under it, or chose it as a deadlock victim. */
export function isRetryable(error: unknown): boolean {
  const e = error as { code?: string; errno?: number };
  return isDuplicateKey(error) || e?.code === 'ER_LOCK_DEADLOCK' || e?.code === 'ER_LOCK_WAIT_TIMEOUT' || e?.code === 'SQLITE_BUSY';
}
