import type { ScopedDb } from '../../../core/data/scoped-db';
import { normalizeText } from '../customers/customer-normalize';
import { rowToClean, tagsFor } from '../customers/customer-service';
import type { CustomerRow } from '../customers/customer-types';
import type { CleanCustomer } from '../customers/customer-validation';
import { plainFields } from '../customers/customer-entity';
import type { ParsedRow, RowError } from './csv-row';
import type { BatchContext } from './import-batch';
import { assignPhones, type PhoneClaims } from './import-phones';

const CUSTOMERS = 'crm_customers';

export interface Planned {
  row: ParsedRow;
  existing?: CustomerRow;
  clean: CleanCustomer & { code: string | null; shop_id: number };
  parentId: number | null;
  tagsChanged: boolean;
  /** The phone the customer will own (see assignPhones); undefined when its phone and family stay as they are. */
  ownedPhone?: string | null;
}


/** Matches each row to an existing customer and checks what only the database knows, reading through `db`. */
export async function planBatch(db: ScopedDb, batch: ParsedRow[], b: BatchContext): Promise<{ plans: Planned[]; failures: RowError[] } & PhoneClaims> {
  // Failures are returned, not reported: a batch planned again after a refused write reports once.
  const failures: RowError[] = [];
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
        failures.push({ line: row.line, field: row.key.field, reason: `matches ${hits.length} customers (${hits.slice(0, 3).map((h) => h.code).join(', ')}); add their code to choose one` });
        continue;
      }
      existing = hits[0];
      const code = row.value.code ? normalizeText(row.value.code) : null;
      const owner = code ? byCode.get(code) : undefined;
      if (owner && (!existing || Number(owner.id) !== Number(existing.id))) {
        failures.push({ line: row.line, field: 'code', reason: `is already the code of another customer (${owner.first_name} ${owner.last_name})`.replace('  ', ' ') });
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
        failures.push({ line: row.line, field: 'parent_code', reason: 'cannot be the customer itself' });
        continue;
      }
      if (!parent) {
        // In a preview the main customer may be a new row earlier in the same file.
        if (!(b.dryRun && b.seenCodes.has(code) && b.seenCodes.get(code)! < row.line)) {
          failures.push({ line: row.line, field: 'parent_code', reason: `no customer has the code "${row.parentCode}"` });
          continue;
        }
      } else if (parent.parent_id) {
        failures.push({ line: row.line, field: 'parent_code', reason: `"${row.parentCode}" is itself a family member; name the main customer` });
        continue;
      } else if (existing && heads.has(Number(existing.id))) {
        failures.push({ line: row.line, field: 'parent_code', reason: 'this customer has family members of its own and cannot become one' });
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
        failures.push({ line: row.line, field: missing[0].key, reason: 'is required' });
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
  const owned = await assignPhones(db, plans, b, failures);
  return { ...owned, failures };
}

export const COMPARED = ['code', 'first_name', 'last_name', 'phone', 'email', 'birthdate', 'shop_id', ...plainFields.map((f) => f.key), 'parent_id', 'custom_fields'];

export function isChanged(p: Planned): boolean {
  if (p.tagsChanged) return true;
  const before = rowToClean(p.existing!);
  return COMPARED.some((k) => JSON.stringify((before as any)[k] ?? null) !== JSON.stringify((p.clean as any)[k] ?? null));
}

export function changesOf(p: Planned): Record<string, { from: unknown; to: unknown }> {
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
