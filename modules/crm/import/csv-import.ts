import { CsvError } from 'csv-parse';
import type { RequestContext } from '../../../core/security/request-context';
import { crmSettings } from '../settings';
import { shopDirectory } from '../shops';
import { normalizeText } from '../customers/customer-normalize';
import { mapHeader } from './csv-columns';
import { parseRow, ShopLookup, type MatchBy, type ParsedRow, type RowError } from './csv-row';
import { processBatch } from './import-batch';
import { csvRecords } from './csv-stream';
import type { FileSource } from './import-files';

/** Rows kept in a stored report; the count of errors is always exact. */
export const MAX_REPORTED_ERRORS = 1000;

export interface ImportOptions {
  matchBy?: MatchBy;
  dryRun?: boolean;
  importId?: number | null;
  batchSize?: number;
  /** The file's size, for progress, when it arrives as chunks. */
  totalBytes?: number;
  onProgress?: (progress: ImportProgress) => Promise<void> | void;
}

export interface ImportProgress {
  percent: number;
  processed: number;
  created: number;
  updated: number;
  unchanged: number;
  error_count: number;
}

export interface ImportReport {
  dry_run: boolean;
  match_by: MatchBy;
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
}


/**
 * Imports customers from CSV text. Records stream through the parser in batches; each batch is checked
 * against the database, then written in one transaction, so a row is written whole or not at all.
 * Each row is matched to an existing customer (see `matchKey`): re-running a file updates, never duplicates.
 */
export async function importCustomers(ctx: RequestContext, csv: FileSource, options: ImportOptions = {}): Promise<ImportReport> {
  const matchBy = options.matchBy ?? 'auto';
  const dryRun = !!options.dryRun;
  const batchSize = options.batchSize ?? 500;
  const companyId = ctx.companyId;
  const settings = await crmSettings(ctx, companyId);
  const shops = new ShopLookup((await shopDirectory(ctx).list(ctx)).filter((s) => Number(s.company_id) === companyId).map((s) => ({ ...s, id: Number(s.id) })));
  const report: ImportReport = { dry_run: dryRun, match_by: matchBy, rows_total: 0, created: 0, updated: 0, unchanged: 0, error_count: 0, errors: [], file_error: null };
  // error_count counts rows (what is skipped); `errors` lists every field at fault.
  const failedLines = new Set<number>();
  const fail = (e: RowError) => {
    if (!failedLines.has(e.line)) {
      failedLines.add(e.line);
      report.error_count++;
    }
    if (report.errors.length < MAX_REPORTED_ERRORS) report.errors.push(e);
  };
  const totalBytes = Math.max(1, typeof csv === 'string' ? Buffer.byteLength(csv) : options.totalBytes ?? 0);
  let bytesRead = 0;
  const today = new Date().toISOString().slice(0, 10);

  // Keys and codes seen earlier in this file: a second row for the same customer is an error, not a
  // silent second update, and (in a preview) a parent defined earlier in the file counts as existing.
  const seenKeys = new Map<string, number>();
  const seenCodes = new Map<string, number>();
  const phoneClaims = new Map<string, number>();
  const codePhones = new Map<string, string | null>();
  let pending: ParsedRow[] = [];
  const pendingNewCodes = new Set<string>();
  let lastLine = 1;

  const flush = async () => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    pendingNewCodes.clear();
    await processBatch(ctx, batch, { companyId, dryRun, format: settings.customer_code_format, customFields: settings.custom_fields, importId: options.importId ?? null, report, fail, seenCodes, phoneClaims, codePhones });
    await options.onProgress?.({
      percent: Math.min(99, Math.floor((bytesRead / totalBytes) * 100)),
      processed: report.rows_total,
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
      error_count: report.error_count,
    });
  };

  let map: ReturnType<typeof mapHeader>['map'] | null = null;
  try {
    for await (const { record, info } of await csvRecords(csv)) {
      const line = info.lines;
      lastLine = line;
      bytesRead = info.bytes;
      if (!map) {
        const header = mapHeader(record, settings.custom_fields);
        if (header.errors.length) {
          report.file_error = `Line ${line}: ${header.errors.join('; ')}`;
          return report;
        }
        map = header.map;
        continue;
      }
      if (record.every((cell) => cell.trim() === '')) continue;
      report.rows_total++;
      const { row, errors } = parseRow(record, line, map, { shops, customFields: settings.custom_fields, matchBy, today, phoneCountry: settings.phone_country });
      if (!row) {
        errors.forEach(fail);
        continue;
      }
      const keyId = `${row.key.field}:${row.key.value}`;
      const earlier = seenKeys.get(keyId);
      if (earlier !== undefined) {
        fail({ line, field: row.key.field, reason: `same ${row.key.field} as line ${earlier}; a customer appears once per file` });
        continue;
      }
      const code = row.value.code ? normalizeText(row.value.code) : null;
      if (code && row.key.field !== 'code' && seenCodes.has(code)) {
        fail({ line, field: 'code', reason: `same code as line ${seenCodes.get(code)}` });
        continue;
      }
      seenKeys.set(keyId, line);
      if (code) seenCodes.set(code, line);
      // A family member whose main customer is created earlier in the same batch waits for it.
      if (row.parentCode && pendingNewCodes.has(normalizeText(row.parentCode))) await flush();
      pending.push(row);
      if (code) pendingNewCodes.add(code);
      if (pending.length >= batchSize) await flush();
    }
    if (!map) report.file_error = 'The file is empty: a header line is required';
    await flush();
  } catch (error) {
    // csv-parse names its codes without a common prefix (INVALID_OPENING_QUOTE, ...): its class tells.
    if (error instanceof CsvError) {
      const e = error as CsvError & { lines?: number };
      report.file_error = `Line ${e.lines ?? lastLine + 1}: ${e.message.replace(/^Invalid.*?: /, '')}; rows after line ${lastLine} were not read`;
      report.errors.sort((a, b) => a.line - b.line);
      return report;
    }
    throw error;
  }
  // Row checks report while parsing, database checks per batch: put them back in file order.
  report.errors.sort((a, b) => a.line - b.line);
  await options.onProgress?.({ percent: 100, processed: report.rows_total, created: report.created, updated: report.updated, unchanged: report.unchanged, error_count: report.error_count });
  return report;
}


