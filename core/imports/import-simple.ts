import type { ScopedDb } from '../data/scoped-db';
import { isDuplicateKey, isTransientConflict } from '../db/db-errors';
import type { RequestContext } from '../security/request-context';
import type { BatchOutcome, ImportDeclaration, ImportRow, ImportRunInfo, ImportSession, RowError } from './import-declaration';

/** Thrown inside a preview's transaction to roll its writes back. */
class PreviewRollback extends Error {
  constructor(readonly outcome: BatchOutcome) {
    super('preview rolled back');
  }
}

/**
 * The session of a declaration in the simple form (`parse` and `target`): the key's cell, normalised,
 * matches a stored row; each batch is one transaction. A preview writes the same way and rolls back,
 * so what it counts and refuses is what the import will. A batch the database refuses is written
 * again row by row, so every other row still goes in and the culprit is named with its line.
 */
export function simpleSession<V>(ctx: RequestContext, decl: ImportDeclaration<V>, run: ImportRunInfo): ImportSession<V> {
  const target = decl.target!;
  const keyColumn = target.keyColumns[run.key];
  if (!keyColumn) throw new Error(`Import ${decl.kind}: key ${run.key} has no key column`);
  const normalize = (text: string) => (decl.normalizeKey ? decl.normalizeKey(run.key, text) : text.trim());

  const writeBatch = async (rows: ImportRow<V>[]): Promise<BatchOutcome> => {
    const attempt = (db: ScopedDb) => writeRows(db, rows);
    if (!run.dryRun) return ctx.db.transaction(attempt);
    try {
      await ctx.db.transaction(async (db) => {
        throw new PreviewRollback(await attempt(db));
      });
    } catch (error) {
      if (error instanceof PreviewRollback) return error.outcome;
      throw error;
    }
    throw new Error('unreachable');
  };

  const writeRows = async (db: ScopedDb, rows: ImportRow<V>[]): Promise<BatchOutcome> => {
    const outcome: BatchOutcome = { created: 0, updated: 0, unchanged: 0, failures: [] };
    const values = rows.map((r) => r.key.value);
    const stored = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < values.length; i += 500) {
      for (const r of (await db.query(target.table).whereIn(keyColumn, values.slice(i, i + 500))) as Array<Record<string, unknown>>) stored.set(String(r[keyColumn]), r);
    }
    for (const row of rows) outcome[await target.write(db, row, stored.get(row.key.value))]++;
    return outcome;
  };

  /**
   * A batch the database refuses for a duplicate key met a row another import wrote meanwhile: read
   * again, that row is matched, so the batch is tried again; one that still fails goes row by row.
   */
  async function writeOrSplit(rows: ImportRow<V>[]): Promise<BatchOutcome> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await writeBatch(rows);
      } catch (error) {
        lastError = error;
        if (!retryable(error)) break;
      }
    }
    if (rows.length === 1) return { created: 0, updated: 0, unchanged: 0, failures: [rowFailure(rows[0], lastError)] };
    const total: BatchOutcome = { created: 0, updated: 0, unchanged: 0, failures: [] };
    for (const row of rows) {
      const one = await writeOrSplit([row]);
      total.created += one.created;
      total.updated += one.updated;
      total.unchanged += one.unchanged;
      total.failures.push(...one.failures);
    }
    return total;
  }

  return {
    parse(cells, line) {
      const keyText = cells[run.key] ?? '';
      const { value, errors } = decl.parse!(cells, line, ctx);
      const keyValue = keyText ? normalize(keyText) : '';
      if (!keyValue && !errors.some((e) => e.field === run.key)) errors.push({ line, field: run.key, reason: `is required: rows are matched by ${run.key}` });
      if (errors.length || value === undefined) return { errors };
      return { row: { line, value, key: { field: run.key, value: keyValue } }, errors };
    },
    write: writeOrSplit,
  };
}

function rowFailure(row: ImportRow<unknown>, error: unknown): RowError {
  const fields = (error as { fields?: Record<string, string> }).fields;
  if (fields && Object.keys(fields).length) return { line: row.line, field: Object.keys(fields)[0], reason: Object.values(fields)[0] };
  if (isDuplicateKey(error)) return { line: row.line, field: row.key.field, reason: 'is already used by another row' };
  return { line: row.line, field: 'row', reason: (error as Error).message ?? 'could not be written' };
}

/** The database changed under the batch (a row another import wrote), or chose it as a deadlock victim. */
function retryable(error: unknown): boolean {
  return isDuplicateKey(error) || isTransientConflict(error);
}
