import { parse } from 'csv-parse';
import type { ScopedDb } from '../../../core/data/scoped-db';
import { isDuplicateKey } from '../../../core/db/db-lock';
import type { RequestContext } from '../../../core/security/request-context';
import { CRM_EVENTS } from '../identifiers';
import { crmSettings } from '../settings';
import { shopDirectory } from '../shops';
import { CUSTOMER_CODE_SEQUENCE, formatCustomerCode } from '../customers/customer-code';
import { normalizeText } from '../customers/customer-normalize';
import { columnsOf, rowToClean, tagsFor } from '../customers/customer-service';
import type { CustomerRow } from '../customers/customer-types';
import type { CleanCustomer } from '../customers/customer-validation';
import type { CustomFieldDef } from '../customers/custom-fields';
import { mapHeader } from './csv-columns';
import { parseRow, ShopLookup, type MatchBy, type ParsedRow, type RowError } from './csv-row';

const CUSTOMERS = 'crm_customers';
const TAGS = 'crm_customer_tags';
/** Rows kept in a stored report; the count of errors is always exact. */
export const MAX_REPORTED_ERRORS = 1000;

export interface ImportOptions {
  matchBy?: MatchBy;
  dryRun?: boolean;
  importId?: number | null;
  batchSize?: number;
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

interface Planned {
  row: ParsedRow;
  existing?: CustomerRow;
  clean: CleanCustomer & { code: string | null; shop_id: number };
  parentId: number | null;
  tagsChanged: boolean;
}

/**
 * Imports customers from CSV text. Records stream through the parser in batches; each batch is checked
 * against the database, then written in one transaction, so a row is written whole or not at all.
 * Each row is matched to an existing customer (see `matchKey`): re-running a file updates, never duplicates.
 */
export async function importCustomers(ctx: RequestContext, csv: string, options: ImportOptions = {}): Promise<ImportReport> {
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
  const totalLines = Math.max(1, countLines(csv) - 1);
  const today = new Date().toISOString().slice(0, 10);

  // Keys and codes seen earlier in this file: a second row for the same customer is an error, not a
  // silent second update, and (in a preview) a parent defined earlier in the file counts as existing.
  const seenKeys = new Map<string, number>();
  const seenCodes = new Map<string, number>();
  let pending: ParsedRow[] = [];
  const pendingNewCodes = new Set<string>();
  let lastLine = 1;

  const flush = async () => {
    if (!pending.length) return;
    const batch = pending;
    pending = [];
    pendingNewCodes.clear();
    await processBatch(ctx, batch, { companyId, dryRun, format: settings.customer_code_format, customFields: settings.custom_fields, importId: options.importId ?? null, report, fail, seenCodes });
    await options.onProgress?.({
      percent: Math.min(99, Math.floor(((lastLine - 1) / totalLines) * 100)),
      processed: report.rows_total,
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
      error_count: report.error_count,
    });
  };

  const parser = parse(csv, { bom: true, delimiter: detectDelimiter(csv), relax_column_count: true, skip_empty_lines: true, info: true });
  let map: ReturnType<typeof mapHeader>['map'] | null = null;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      lastLine = line;
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
      const { row, errors } = parseRow(record, line, map, { shops, customFields: settings.custom_fields, matchBy, today });
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
    const e = error as Error & { lines?: number; code?: string };
    if (e.code && String(e.code).startsWith('CSV_')) {
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

interface BatchContext {
  companyId: number;
  dryRun: boolean;
  format: string;
  customFields: CustomFieldDef[];
  importId: number | null;
  report: ImportReport;
  fail: (e: RowError) => void;
  seenCodes: Map<string, number>;
}

async function processBatch(ctx: RequestContext, batch: ParsedRow[], b: BatchContext): Promise<void> {
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

/** Matches each row to an existing customer and checks what only the database knows. */
async function planBatch(ctx: RequestContext, batch: ParsedRow[], b: BatchContext): Promise<Planned[]> {
  const db = ctx.db;
  const base = () => db.query(CUSTOMERS).where('company_id', b.companyId);
  const codes = batch.filter((r) => r.value.code).map((r) => normalizeText(r.value.code!));
  const emails = batch.filter((r) => r.key.field === 'email').map((r) => r.key.value);
  const phones = batch.filter((r) => r.key.field === 'phone').map((r) => r.key.value);
  const parentCodes = [...new Set(batch.filter((r) => r.parentCode).map((r) => normalizeText(r.parentCode!)))];
  const [byCodeRows, byEmailRows, byPhoneRows, parentRows] = await Promise.all([
    codes.length ? base().whereIn('code_norm', codes) : [],
    emails.length ? base().whereIn('email_norm', emails) : [],
    phones.length ? base().whereIn('phone_norm', phones) : [],
    parentCodes.length ? base().whereIn('code_norm', parentCodes).select('id', 'code_norm', 'parent_id') : [],
  ]);
  const byCode = new Map((byCodeRows as CustomerRow[]).map((r) => [r.code_norm, r]));
  const group = (rows: CustomerRow[], key: 'email_norm' | 'phone_norm') => {
    const m = new Map<string, CustomerRow[]>();
    for (const r of rows) m.set(String(r[key]), [...(m.get(String(r[key])) ?? []), r]);
    return m;
  };
  const byEmail = group(byEmailRows as CustomerRow[], 'email_norm');
  const byPhone = group(byPhoneRows as CustomerRow[], 'phone_norm');
  const parents = new Map((parentRows as Array<{ id: number; code_norm: string; parent_id: number | null }>).map((r) => [r.code_norm, r]));

  const matched: Array<{ row: ParsedRow; existing?: CustomerRow }> = [];
  for (const row of batch) {
    let existing: CustomerRow | undefined;
    if (row.key.field === 'code') existing = byCode.get(row.key.value);
    else {
      const hits = (row.key.field === 'email' ? byEmail : byPhone).get(row.key.value) ?? [];
      if (hits.length > 1) {
        b.fail({ line: row.line, field: row.key.field, reason: `matches ${hits.length} customers (${hits.slice(0, 3).map((h) => h.code).join(', ')}); add their code to choose one` });
        continue;
      }
      existing = hits[0];
      const code = row.value.code ? normalizeText(row.value.code) : null;
      const owner = code ? byCode.get(code) : undefined;
      if (owner && (!existing || Number(owner.id) !== Number(existing.id))) {
        b.fail({ line: row.line, field: 'code', reason: `is already the code of another customer (${owner.first_name} ${owner.last_name})`.replace('  ', ' ') });
        continue;
      }
    }
    matched.push({ row, existing });
  }

  // Existing customers in this batch that have family members cannot become family members themselves.
  const withParentIds = matched.filter((m) => m.existing && m.row.parentCode).map((m) => Number(m.existing!.id));
  const heads = new Set<number>(
    withParentIds.length ? ((await db.query(CUSTOMERS).whereIn('parent_id', withParentIds).distinct('parent_id').pluck('parent_id')) as number[]).map(Number) : [],
  );
  const existingTags = await tagsFor(db, matched.filter((m) => m.existing && m.row.value.tags !== undefined).map((m) => Number(m.existing!.id)));

  const plans: Planned[] = [];
  for (const { row, existing } of matched) {
    let parentId: number | null = existing ? (existing.parent_id == null ? null : Number(existing.parent_id)) : null;
    if (row.parentCode) {
      const code = normalizeText(row.parentCode);
      const parent = parents.get(code);
      const ownCode = row.value.code ? normalizeText(row.value.code) : existing?.code_norm;
      if (code === ownCode) {
        b.fail({ line: row.line, field: 'parent_code', reason: 'cannot be the customer itself' });
        continue;
      }
      if (!parent) {
        // In a preview the main customer may be a new row earlier in the same file.
        if (!(b.dryRun && b.seenCodes.has(code) && b.seenCodes.get(code)! < row.line)) {
          b.fail({ line: row.line, field: 'parent_code', reason: `no customer has the code "${row.parentCode}"` });
          continue;
        }
      } else if (parent.parent_id) {
        b.fail({ line: row.line, field: 'parent_code', reason: `"${row.parentCode}" is itself a family member; name the main customer` });
        continue;
      } else if (existing && heads.has(Number(existing.id))) {
        b.fail({ line: row.line, field: 'parent_code', reason: 'this customer has family members of its own and cannot become one' });
        continue;
      }
      parentId = parent ? Number(parent.id) : null;
    }
    const before = existing ? rowToClean(existing) : undefined;
    const clean = { ...(before ?? {}), ...row.value, code: row.value.code ?? before?.code ?? null, parent_id: parentId } as Planned['clean'];
    if (before && row.value.custom_fields) clean.custom_fields = { ...before.custom_fields, ...row.value.custom_fields };
    if (!existing) {
      const missing = b.customFields.filter((d) => d.required && (clean.custom_fields?.[d.key] === undefined || clean.custom_fields?.[d.key] === null));
      if (missing.length) {
        b.fail({ line: row.line, field: missing[0].key, reason: 'is required' });
        continue;
      }
      clean.first_name ??= '';
    }
    let tagsChanged = false;
    if (existing && row.value.tags !== undefined) {
      const old = existingTags.get(Number(existing.id)) ?? [];
      tagsChanged = JSON.stringify([...old].sort()) !== JSON.stringify([...row.value.tags].sort());
    }
    plans.push({ row, existing, clean, parentId, tagsChanged });
  }
  return plans;
}

const COMPARED = ['code', 'first_name', 'last_name', 'phone', 'email', 'birthdate', 'shop_id', 'classification', 'delivery_route', 'parent_id', 'custom_fields'];

function isChanged(p: Planned): boolean {
  if (p.tagsChanged) return true;
  const before = rowToClean(p.existing!);
  return COMPARED.some((k) => JSON.stringify((before as any)[k] ?? null) !== JSON.stringify((p.clean as any)[k] ?? null));
}

function changesOf(p: Planned): Record<string, { from: unknown; to: unknown }> {
  const before = rowToClean(p.existing!) as unknown as Record<string, unknown>;
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of COMPARED) {
    const from = before[k] ?? null;
    const to = (p.clean as unknown as Record<string, unknown>)[k] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[k] = { from, to };
  }
  if (p.tagsChanged) changes.tags = { from: null, to: p.row.value.tags };
  return changes;
}

async function writeRows(ctx: RequestContext, db: ScopedDb, plans: Planned[], b: BatchContext): Promise<{ created: number; updated: number }> {
  db.assertCompany(b.companyId);
  const knex = db.unscoped('bulk write of rows checked to belong to the caller company (asserted above)');
  const now = new Date();
  const userId = ctx.principal.userId;
  const creates = plans.filter((p) => !p.existing);
  const updates = plans.filter((p) => p.existing);
  const audits: Array<{ table: string; recordId: number; action: string; changes: Record<string, unknown> }> = [];

  for (const p of creates) {
    if (!p.clean.code) p.clean.code = await freeGeneratedCode(db, b);
  }
  const createdIds: number[] = [];
  for (let i = 0; i < creates.length; i += 500) {
    const chunk = creates.slice(i, i + 500);
    await knex(CUSTOMERS).insert(
      chunk.map((p) => ({
        ...columnsOf(p.clean as CleanCustomer & { code: string }),
        company_id: b.companyId,
        created_at: now,
        updated_at: now,
        created_by: userId,
        updated_by: userId,
      })),
    );
  }
  if (creates.length) {
    // Ids by code (unique per company): multi-row inserts do not promise consecutive ids everywhere.
    const idByCode = new Map<string, number>();
    const codes = creates.map((p) => normalizeText(p.clean.code!));
    for (let i = 0; i < codes.length; i += 1000) {
      const rows = await db.query(CUSTOMERS).where('company_id', b.companyId).whereIn('code_norm', codes.slice(i, i + 1000)).select('id', 'code_norm');
      for (const r of rows as Array<{ id: number; code_norm: string }>) idByCode.set(r.code_norm, Number(r.id));
    }
    const tagRows: Array<{ company_id: number; customer_id: number; tag: string }> = [];
    for (const p of creates) {
      const id = idByCode.get(normalizeText(p.clean.code!))!;
      createdIds.push(id);
      for (const tag of p.clean.tags ?? []) tagRows.push({ company_id: b.companyId, customer_id: id, tag });
      audits.push({ table: CUSTOMERS, recordId: id, action: 'import', changes: { ...auditable(p.clean), import_id: b.importId, line: p.row.line } });
    }
    for (let i = 0; i < tagRows.length; i += 1000) await knex(TAGS).insert(tagRows.slice(i, i + 1000));
  }

  const updatedIds: number[] = [];
  for (const p of updates) {
    const id = Number(p.existing!.id);
    const changes = changesOf(p);
    const columnsChanged = Object.keys(changes).some((k) => k !== 'tags');
    await db
      .query(CUSTOMERS)
      .where('id', id)
      .update({ ...(columnsChanged ? columnsOf(p.clean as CleanCustomer & { code: string }) : {}), updated_at: now, updated_by: userId });
    if (p.tagsChanged) {
      await db.query(TAGS).where('customer_id', id).delete();
      const tags = p.row.value.tags ?? [];
      if (tags.length) await knex(TAGS).insert(tags.map((tag) => ({ company_id: b.companyId, customer_id: id, tag })));
    }
    updatedIds.push(id);
    audits.push({ table: CUSTOMERS, recordId: id, action: 'import', changes: { ...changes, import_id: b.importId, line: p.row.line } });
  }

  await recordAudits(db, b.companyId, audits);
  await db.publish(CRM_EVENTS.customersImported, { import_id: b.importId, created_ids: createdIds, updated_ids: updatedIds }, b.companyId);
  return { created: creates.length, updated: updates.length };
}

/** Generated codes skip numbers whose code someone already typed by hand. */
async function freeGeneratedCode(db: ScopedDb, b: BatchContext): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const code = formatCustomerCode(b.format, await db.nextNumber(CUSTOMER_CODE_SEQUENCE, b.companyId));
    const norm = normalizeText(code);
    if (b.seenCodes.has(norm)) continue;
    const taken = await db.query(CUSTOMERS).where({ company_id: b.companyId, code_norm: norm }).first('id');
    if (!taken) {
      b.seenCodes.set(norm, 0);
      return code;
    }
  }
  throw new Error('Could not generate a free customer code; check the code format setting');
}

/**
 * One audit entry per imported customer, so each customer's trail says which import touched it,
 * written as multi-row inserts: one INSERT per entry would cost more than the import itself.
 */
async function recordAudits(db: ScopedDb, companyId: number, entries: Array<{ table: string; recordId: number; action: string; changes: Record<string, unknown> }>): Promise<void> {
  if (entries.length) await db.auditMany(entries.map((e) => ({ ...e, companyId })));
}

function auditable(v: CleanCustomer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of COMPARED) {
    const value = (v as Record<string, unknown>)[k];
    if (value !== undefined && value !== null && value !== '' && !(k === 'custom_fields' && !Object.keys(value as object).length)) out[k] = value;
  }
  if (v.tags?.length) out.tags = v.tags;
  return out;
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

/** `;` files come from spreadsheets in locales where `,` is the decimal separator. */
export function detectDelimiter(csv: string): string {
  const firstLine = csv.slice(0, csv.indexOf('\n') === -1 ? undefined : csv.indexOf('\n'));
  const count = (ch: string) => firstLine.split(ch).length - 1;
  const candidates = [',', ';', '\t'];
  return candidates.reduce((best, ch) => (count(ch) > count(best) ? ch : best), ',');
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n : n + 1;
}
