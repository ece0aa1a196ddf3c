import type { BatchOutcome, ScopedDb, RequestContext } from 'tessera/core';
import { duplicateField } from '../customers/customer-service';
import type { CustomFieldDef } from '../customers/custom-fields';
import type { ParsedRow, RowError } from './csv-row';
import { ensureImportLock, isRetryable, takeImportLock } from './import-lock';
import { isChanged, planBatch, type Planned } from './import-plan';
import type { PhoneClaims } from './import-phones';
import { writeRows } from './import-write';

export interface BatchContext {
  companyId: number;
  dryRun: boolean;
  format: string;
  customFields: CustomFieldDef[];
  importId: number | null;
  seenCodes: Map<string, number>;
  /** Phones owned by rows of the file that went in (or passed a preview), with their line. */
  phoneClaims: Map<string, number>;
  /** In a preview, the phone each code of the file is given (main customers not written yet). */
  codePhones: Map<string, string | null>;
}

/** Plans of one batch (or one row) that went in whole, with what the report needs of them. */
interface Outcome extends PhoneClaims {
  plans: Planned[];
  failures: RowError[];
  created: number;
  updated: number;
  generatedCodes: string[];
}

/** Whole-batch attempts before the rows are written one by one; each attempt plans again. */
const BATCH_ATTEMPTS = 3;
const ROW_ATTEMPTS = 2;

/**
 * Plans a batch against the database and writes it. Planning and writing share one transaction that
 * starts with the company's import lock, so two imports of one file at once take turns batch by
 * batch, and each plans against what the other committed: a customer the other import created is
 * matched (unchanged or updated), never created twice. When the database still refuses a batch (a
 * code or phone another user took meanwhile), the batch is planned again from what is there now;
 * nothing is counted or reported until an attempt commits.
 */
export async function processBatch(ctx: RequestContext, batch: ParsedRow[], b: BatchContext): Promise<BatchOutcome> {
  const total: BatchOutcome = { created: 0, updated: 0, unchanged: 0, failures: [] };
  if (b.dryRun) {
    const planned = await planBatch(ctx.db, batch, b);
    const changed = planned.plans.filter((p) => !p.existing || isChanged(p));
    const updated = changed.filter((p) => p.existing).length;
    record(b, total, { ...planned, created: changed.length - updated, updated, generatedCodes: [] });
    return total;
  }
  await ensureImportLock(ctx.db, b.companyId);
  let lastError: unknown;
  for (let attempt = 0; attempt < BATCH_ATTEMPTS; attempt++) {
    try {
      record(b, total, await planAndWrite(ctx, batch, b));
      return total;
    } catch (error) {
      lastError = error;
      if (!isRetryable(error)) break;
    }
  }
  // One row keeps breaking the batch: write row by row so every other row still goes in whole, and
  // the culprit is reported with its line and the field the database refused.
  if (batch.length === 1) {
    total.failures.push(rowFailure(batch[0], lastError));
    return total;
  }
  for (const row of batch) {
    for (let attempt = 0; attempt < ROW_ATTEMPTS; attempt++) {
      try {
        record(b, total, await planAndWrite(ctx, [row], b));
        break;
      } catch (error) {
        if (attempt === ROW_ATTEMPTS - 1 || !isRetryable(error)) {
          total.failures.push(rowFailure(row, error));
          break;
        }
      }
    }
  }
  return total;
}

async function planAndWrite(ctx: RequestContext, rows: ParsedRow[], b: BatchContext): Promise<Outcome> {
  return ctx.db.transaction(async (db: ScopedDb) => {
    await takeImportLock(db, b.companyId);
    const planned = await planBatch(db, rows, b);
    const changed = planned.plans.filter((p) => !p.existing || isChanged(p));
    const written = changed.length ? await writeRows(ctx, db, changed, b) : { created: 0, updated: 0, generatedCodes: [] };
    return { ...planned, ...written };
  });
}

/** Counts a committed (or previewed) outcome into the report. */
function record(b: BatchContext, total: BatchOutcome, outcome: Outcome): void {
  total.failures.push(...outcome.failures);
  total.created += outcome.created;
  total.updated += outcome.updated;
  total.unchanged += outcome.plans.length - outcome.created - outcome.updated;
  for (const code of outcome.generatedCodes) b.seenCodes.set(code, 0);
  for (const [phone, line] of outcome.claims) b.phoneClaims.set(phone, line);
  for (const [code, phone] of outcome.codePhones) b.codePhones.set(code, phone);
}

function rowFailure(row: ParsedRow, error: unknown): RowError {
  const fields = (error as { fields?: Record<string, string> }).fields;
  if (fields && Object.keys(fields).length) return { line: row.line, field: Object.keys(fields)[0], reason: Object.values(fields)[0] };
  const field = duplicateField(error);
  if (field) return { line: row.line, field, reason: 'is already used by another customer' };
  return { line: row.line, field: 'row', reason: (error as Error).message ?? 'could not be written' };
}
