import { CsvError } from 'csv-parse';
import type { RequestContext } from '../security/request-context';
import { csvRecords } from './csv-records';
import type { ImportDeclaration, ImportRow, ImportSession, RowError } from './import-declaration';
import type { FileSource } from './import-files';
import { cellsOf, mapHeader, withArticle, type ColumnMapping } from './import-header';
import { simpleSession } from './import-simple';

/** Rows kept in a stored report; the count of errors is always exact, and every rejected line is kept apart. */
export const MAX_REPORTED_ERRORS = 1000;

export interface ImportProgress {
  percent: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  error_count: number;
}

export interface RunOptions {
  key: string;
  dryRun?: boolean;
  importId?: number | null;
  batchSize?: number;
  /** The file's size, for progress, when it arrives as chunks. */
  totalBytes?: number;
  mapping?: ColumnMapping;
  onProgress?: (progress: ImportProgress) => Promise<void> | void;
  /** Rejected lines with their reasons, batch by batch, for the rejected-rows download. */
  onRejects?: (rejects: Array<{ line: number; reason: string }>) => Promise<void>;
}

export interface ImportReport {
  dry_run: boolean;
  match_by: string;
  rows_total: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows skipped for errors. */
  error_count: number;
  /** Every bad row's line (1 is the header), field and reason; capped at MAX_REPORTED_ERRORS. */
  errors: RowError[];
  /** Set when the file itself cannot be read (bad header, broken quoting): nothing after it was imported. */
  file_error: string | null;
  /** The file's header line, and the headers no column matched (the mapping step asks about these). */
  file_headers: string[];
  unknown_headers: string[];
}

/**
 * Runs a declared import over CSV text or stored chunks. Records stream through the parser in
 * batches; the session writes each batch (a row whole or not at all). A key appears once per file,
 * so a file sent twice matches, never duplicates.
 */
export async function runImport<V>(ctx: RequestContext, decl: ImportDeclaration<V>, csv: FileSource, options: RunOptions): Promise<ImportReport> {
  const dryRun = !!options.dryRun;
  const batchSize = options.batchSize ?? 500;
  const report: ImportReport = { dry_run: dryRun, match_by: options.key, rows_total: 0, created: 0, updated: 0, unchanged: 0, error_count: 0, errors: [], file_error: null, file_headers: [], unknown_headers: [] };
  const columns = await decl.columns(ctx);
  const today = new Date().toISOString().slice(0, 10);
  const info = { importId: options.importId ?? null, dryRun, key: options.key, today };
  const session: ImportSession<V> = decl.open ? await decl.open(ctx, info) : simpleSession(ctx, decl, info);

  // error_count counts rows (what is skipped); `errors` lists every field at fault.
  const failed = new Map<number, string[]>();
  let rejects: Array<{ line: number; reason: string }> = [];
  const fail = (e: RowError) => {
    const reasons = failed.get(e.line);
    if (!reasons) {
      failed.set(e.line, [`${e.field}: ${e.reason}`]);
      report.error_count++;
    } else reasons.push(`${e.field}: ${e.reason}`);
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(e);
  };
  const flushRejects = async () => {
    for (const [line, reasons] of failed) rejects.push({ line, reason: reasons.join('; ') });
    failed.clear();
    if (rejects.length && options.onRejects) await options.onRejects(rejects);
    rejects = [];
  };
  const totalBytes = Math.max(1, typeof csv === 'string' ? Buffer.byteLength(csv) : options.totalBytes ?? 0);
  let bytesRead = 0;
  const seenKeys = new Map<string, number>();
  let pending: ImportRow<V>[] = [];
  let lastLine = 1;

  const flush = async () => {
    if (pending.length) {
      const batch = pending;
      pending = [];
      const outcome = await session.write(batch);
      outcome.failures.forEach(fail);
      report.created += outcome.created;
      report.updated += outcome.updated;
      report.unchanged += outcome.unchanged;
    }
    await flushRejects();
    const p = { processed: report.rows_total, created: report.created, updated: report.updated, unchanged: report.unchanged, error_count: report.error_count };
    await options.onProgress?.({ percent: Math.min(99, Math.floor((bytesRead / totalBytes) * 100)), ...p });
  };

  let index: Record<string, number> | null = null;
  try {
    for await (const { record, info: at } of await csvRecords(csv)) {
      const line = at.lines;
      lastLine = line;
      bytesRead = at.bytes;
      if (!index) {
        const header = mapHeader(record, columns, decl.noun, options.mapping);
        report.file_headers = record;
        if (header.errors.length) {
          report.unknown_headers = header.unknown;
          report.file_error = `Line ${line}: ${header.errors.join('; ')}`;
          return report;
        }
        index = header.index;
        continue;
      }
      if (record.every((cell) => cell.trim() === '')) continue;
      report.rows_total++;
      const { row, errors } = session.parse(cellsOf(record, index), line);
      if (!row) {
        errors.forEach(fail);
        continue;
      }
      const keyId = `${row.key.field}:${row.key.value}`;
      const earlier = seenKeys.get(keyId);
      if (earlier !== undefined) {
        fail({ line, field: row.key.field, reason: `same ${row.key.field} as line ${earlier}; ${withArticle(decl.noun)} appears once per file` });
        continue;
      }
      const verdict = session.admit?.(row) ?? null;
      if (verdict && verdict !== 'flush') {
        fail(verdict);
        continue;
      }
      seenKeys.set(keyId, line);
      if (verdict === 'flush') await flush();
      pending.push(row);
      if (pending.length >= batchSize) await flush();
    }
    if (!index) report.file_error = 'The file is empty: a header line is required';
    await flush();
  } catch (error) {
    // csv-parse names its codes without a common prefix (INVALID_OPENING_QUOTE, ...): its class tells.
    if (!(error instanceof CsvError)) throw error;
    const e = error as CsvError & { lines?: number };
    report.file_error = `Line ${e.lines ?? lastLine + 1}: ${e.message.replace(/^Invalid.*?: /, '')}; rows after line ${lastLine} were not read`;
    await flushRejects();
    report.errors.sort((a, b) => a.line - b.line);
    return report;
  }
  // Row checks report while parsing, database checks per batch: put them back in file order.
  report.errors.sort((a, b) => a.line - b.line);
  await options.onProgress?.({ percent: 100, processed: report.rows_total, created: report.created, updated: report.updated, unchanged: report.unchanged, error_count: report.error_count });
  return report;
}
