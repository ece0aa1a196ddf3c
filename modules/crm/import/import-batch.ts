import type { RequestContext } from '../../../core/security/request-context';
import { isDuplicateKey } from '../../../core/db/db-lock';
import type { CustomFieldDef } from '../customers/custom-fields';
import type { ImportReport } from './csv-import';
import type { ParsedRow, RowError } from './csv-row';
import { isChanged, planBatch } from './import-plan';
import { writeRows } from './import-write';

export interface BatchContext {
  companyId: number;
  dryRun: boolean;
  format: string;
  customFields: CustomFieldDef[];
  importId: number | null;
  report: ImportReport;
  fail: (e: RowError) => void;
  seenCodes: Map<string, number>;
}

export async function processBatch(ctx: RequestContext, batch: ParsedRow[], b: BatchContext): Promise<void> {
  const plans = await planBatch(ctx, batch, b);
  const changed = plans.filter((p) => !p.existing || isChanged(p));
  b.report.unchanged += plans.length - changed.length;
  if (b.dryRun) {
    for (const p of changed) p.existing ? b.report.updated++ : b.report.created++;
    return;
  }
  if (!changed.length) return;
  try {
    const result = await ctx.db.transaction((db) => writeRows(ctx, db, changed, b));
    b.report.created += result.created;
    b.report.updated += result.updated;
  } catch (error) {
    if (changed.length === 1) {
      b.fail({ line: changed[0].row.line, field: fieldOfError(error), reason: reasonOfError(error) });
      return;
    }
    // One row broke the batch (a code taken meanwhile by another user, say): write row by row so
    // every other row still goes in whole, and the culprit is reported with its line.
    for (const plan of changed) {
      try {
        const result = await ctx.db.transaction((db) => writeRows(ctx, db, [plan], b));
        b.report.created += result.created;
        b.report.updated += result.updated;
      } catch (rowError) {
        b.fail({ line: plan.row.line, field: fieldOfError(rowError), reason: reasonOfError(rowError) });
      }
    }
  }
}

function fieldOfError(error: unknown): string {
  const fields = (error as { fields?: Record<string, string> }).fields;
  if (fields && Object.keys(fields).length) return Object.keys(fields)[0];
  if (isDuplicateKey(error)) return /email/.test(String((error as Error).message)) ? 'email' : 'code';
  return 'row';
}

function reasonOfError(error: unknown): string {
  const fields = (error as { fields?: Record<string, string> }).fields;
  if (fields && Object.keys(fields).length) return Object.values(fields)[0];
  if (isDuplicateKey(error)) return 'is already used by another customer';
  return (error as Error).message ?? 'could not be written';
}
