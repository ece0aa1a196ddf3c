import type { ScopedDb, RequestContext } from 'tessera/core';
import { CRM_EVENTS } from '../api';
import { CUSTOMER_CODE_SEQUENCE, formatCustomerCode } from '../customers/customer-code';
import { normalizeText } from '../customers/customer-normalize';
import { columnsOf } from '../customers/customer-service';
import { phoneNormOf, settleFamilyPhones } from '../customers/customer-phones';
import type { CleanCustomer } from '../customers/customer-validation';
import type { BatchContext } from './import-batch';
import { changesOf, COMPARED, type Planned } from './import-plan';

const CUSTOMERS = 'crm_customers';
const TAGS = 'crm_customer_tags';

export async function writeRows(ctx: RequestContext, db: ScopedDb, plans: Planned[], b: BatchContext): Promise<{ created: number; updated: number; generatedCodes: string[] }> {
  db.assertCompany(b.companyId);
  const knex = db.unscoped('bulk write of rows checked to belong to the caller company (asserted above)');
  const now = new Date();
  const userId = ctx.principal.userId;
  const creates = plans.filter((p) => !p.existing);
  const updates = plans.filter((p) => p.existing);
  const audits: Array<{ table: string; recordId: number; action: string; changes: Record<string, unknown> }> = [];

  const generatedCodes: string[] = [];
  for (const p of creates) {
    if (!p.clean.code) p.clean.code = await freeGeneratedCode(db, b, generatedCodes);
  }
  const createdIds: number[] = [];
  for (let i = 0; i < creates.length; i += 500) {
    const chunk = creates.slice(i, i + 500);
    await knex(CUSTOMERS).insert(
      chunk.map((p) => ({
        ...columnsOf(p.clean as CleanCustomer & { code: string }),
        owned_phone_norm: p.ownedPhone ?? null,
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
    const columns = columnsChanged ? { ...columnsOf(p.clean as CleanCustomer & { code: string }), ...(p.ownedPhone === undefined ? {} : { owned_phone_norm: p.ownedPhone }) } : {};
    const write = async () => {
      await db.query(CUSTOMERS).where('id', id).update({ ...columns, updated_at: now, updated_by: userId });
    };
    const phoneBefore = p.existing!.phone_norm ?? null;
    const phoneAfter = phoneNormOf(p.clean.phone);
    if (phoneBefore !== phoneAfter) await settleFamilyPhones(db, b.companyId, id, phoneBefore, phoneAfter, write);
    else await write();
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
  return { created: creates.length, updated: updates.length, generatedCodes };
}

/**
 * Generated codes skip numbers whose code someone already typed by hand. The codes given are kept in
 * `given` and join the file's codes only once the transaction commits.
 */
async function freeGeneratedCode(db: ScopedDb, b: BatchContext, given: string[]): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const code = formatCustomerCode(b.format, await db.nextNumber(CUSTOMER_CODE_SEQUENCE, b.companyId));
    const norm = normalizeText(code);
    if (b.seenCodes.has(norm) || given.includes(norm)) continue;
    const taken = await db.query(CUSTOMERS).where({ company_id: b.companyId, code_norm: norm }).first('id');
    if (!taken) {
      given.push(norm);
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
