import type { ScopedDb } from 'tessera/core';
import { normalizeText } from '../customers/customer-normalize';
import { mayOwn, ownedPhone, phoneHolders, phoneNormOf, phoneTaken } from '../customers/customer-phones';
import type { RowError } from './csv-row';
import type { BatchContext } from './import-batch';
import type { Planned } from './import-plan';

const CUSTOMERS = 'crm_customers';

/** What a batch adds to the file's phones once it commits (or, in a preview, once it is planned). */
export interface PhoneClaims {
  /** Phone -> the line that owns it. */
  claims: Array<[string, number]>;
  /** Customer code -> the phone its row gives it; a preview looks main customers of the file up here. */
  codePhones: Array<[string, string | null]>;
}

/**
 * The phone each planned row will own (see customers/customer-phones.ts), checked against rows
 * earlier in the file, then against the owners in the database. A row that would take a phone
 * someone else owns is moved to `failures`; a row that leaves its phone and family as they are is
 * not checked, so customers who shared a phone before the rule still import.
 */
export async function assignPhones(db: ScopedDb, planned: Planned[], b: BatchContext, failures: RowError[]): Promise<{ plans: Planned[] } & PhoneClaims> {
  const phoneOf = (p: Planned) => phoneNormOf(p.clean.phone);
  const changes = planned.filter((p) => !p.existing || phoneOf(p) !== (p.existing.phone_norm ?? null) || p.parentId !== (p.existing.parent_id == null ? null : Number(p.existing.parent_id)));
  const parentIds = [...new Set(changes.filter((p) => p.parentId).map((p) => p.parentId!))];
  const parents = new Map<number, { code_norm: string; phone_norm: string | null }>();
  for (let i = 0; i < parentIds.length; i += 500) {
    const rows = await db.queryCompany(b.companyId, CUSTOMERS).whereIn('id', parentIds.slice(i, i + 500)).select('id', 'code_norm', 'phone_norm');
    for (const r of rows) parents.set(Number(r.id), { code_norm: r.code_norm, phone_norm: r.phone_norm ?? null });
  }

  const localPhones = new Map<string, string | null>();
  const fileCodePhone = (code: string) => (localPhones.has(code) ? localPhones.get(code) : b.codePhones.get(code));
  const parentPhone = (p: Planned): string | null | undefined => {
    // A main customer earlier in the file has the phone its row gives it, whether written yet or not.
    const code = p.row.parentCode ? normalizeText(p.row.parentCode) : p.parentId ? parents.get(p.parentId)?.code_norm : undefined;
    const inFile = code !== undefined ? fileCodePhone(code) : undefined;
    return inFile !== undefined ? inFile : p.parentId ? parents.get(p.parentId)?.phone_norm : undefined;
  };
  const holders = await phoneHolders(db, b.companyId, changes.map(phoneOf).filter((v): v is string => !!v));

  const plans: Planned[] = [];
  const localClaims = new Map<string, number>();
  const changing = new Set(changes);
  for (const p of planned) {
    // Worked out in file order: a main customer planned just above in this batch counts.
    const phone = changing.has(p) ? ownedPhone(phoneOf(p), parentPhone(p)) : undefined;
    if (phone) {
      const earlier = localClaims.get(phone) ?? b.phoneClaims.get(phone);
      const holder = holders.get(phone);
      if (earlier !== undefined) {
        failures.push({ line: p.row.line, field: 'phone', reason: `same phone as line ${earlier}; a phone belongs to one customer` });
        continue;
      }
      if (!mayOwn(holder, p.existing ? Number(p.existing.id) : null)) {
        failures.push({ line: p.row.line, field: 'phone', reason: phoneTaken(holder!) });
        continue;
      }
      localClaims.set(phone, p.row.line);
    }
    if (changing.has(p)) p.ownedPhone = phone ?? null;
    const code = p.clean.code ? normalizeText(p.clean.code) : p.existing?.code_norm;
    if (b.dryRun && code) localPhones.set(code, phoneOf(p));
    plans.push(p);
  }
  return { plans, claims: [...localClaims], codePhones: [...localPhones] };
}
