import { type ScopedDb, ValidationError } from 'tessera/core';
import { normalizePhone } from './customer-normalize';
import { fullName } from './customer-rows';

/**
 * A phone number belongs to one customer of a company; a family member may share its main customer's.
 * The database holds the rule: `owned_phone_norm` is the phone of a customer that holds it in its own
 * right, unique per company (migration 006). It is derived from `phone_norm`, so when normalization
 * changes (E.164), recomputing `phone_norm` and then this column carries the rule over.
 */
const CUSTOMERS = 'crm_customers';

export interface PhoneHolder {
  id: number;
  code: string;
  first_name: string;
  last_name: string;
  parent_id: number | null;
}

/** The normalized phone as stored in `phone_norm`, or null for none. */
export function phoneNormOf(phone: string | null | undefined): string | null {
  return normalizePhone(phone).slice(0, 40) || null;
}

/** The phone a customer owns: its own, unless it is a family member sharing its main customer's. */
export function ownedPhone(phoneNorm: string | null, parentPhoneNorm: string | null | undefined): string | null {
  if (!phoneNorm) return null;
  return parentPhoneNorm === phoneNorm ? null : phoneNorm;
}

/** Who owns each of these phones in the company. */
export async function phoneHolders(db: ScopedDb, companyId: number, phones: string[]): Promise<Map<string, PhoneHolder>> {
  const holders = new Map<string, PhoneHolder>();
  const unique = [...new Set(phones)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.queryCompany(companyId, CUSTOMERS).whereIn('owned_phone_norm', unique.slice(i, i + 500)).select('id', 'code', 'first_name', 'last_name', 'parent_id', 'owned_phone_norm');
    for (const r of rows) holders.set(r.owned_phone_norm, { id: Number(r.id), code: r.code, first_name: r.first_name, last_name: r.last_name, parent_id: r.parent_id == null ? null : Number(r.parent_id) });
  }
  return holders;
}

/**
 * May customer `customerId` (null: a new one) own a phone that `holder` owns now? Only if it is the
 * holder, or the holder is one of its family members, who will share it (see settleFamilyPhones).
 */
export function mayOwn(holder: PhoneHolder | undefined, customerId: number | null): boolean {
  if (!holder) return true;
  return customerId !== null && (holder.id === customerId || holder.parent_id === customerId);
}

export function phoneTaken(holder: PhoneHolder): string {
  const name = fullName(holder);
  return `is already the phone of customer ${holder.code}${name ? ` (${name})` : ''}`;
}

/** Refuses, naming `phone`, a phone another customer owns. */
export async function assertPhoneFree(db: ScopedDb, companyId: number, owned: string | null, customerId: number | null): Promise<void> {
  if (!owned) return;
  const holder = (await phoneHolders(db, companyId, [owned])).get(owned);
  if (!mayOwn(holder, customerId)) throw new ValidationError({ phone: phoneTaken(holder!) });
}

/**
 * Writes a main customer's phone change (`writeMain`) and keeps its family members within the rule:
 * members who have the new phone now share it; a member who shared the old phone now owns it. Two
 * members who shared the old phone cannot both keep it: refused, naming them.
 */
export async function settleFamilyPhones(db: ScopedDb, companyId: number, mainId: number, before: string | null, after: string | null, writeMain: () => Promise<void>): Promise<void> {
  if (before === after) return writeMain();
  const members = () => db.queryCompany(companyId, CUSTOMERS).where('parent_id', mainId);
  if (after) await members().where('phone_norm', after).update({ owned_phone_norm: null });
  await writeMain();
  if (!before) return;
  const sharing = (await members().where('phone_norm', before).whereNull('owned_phone_norm').orderBy('id').select('id', 'code')) as Array<{ id: number; code: string }>;
  if (sharing.length > 1) {
    throw new ValidationError({ phone: `cannot change while family members ${sharing.map((m) => m.code).join(', ')} share it; give them a phone of their own first` });
  }
  if (sharing.length === 1) await db.queryCompany(companyId, CUSTOMERS).where('id', sharing[0].id).update({ owned_phone_norm: before });
}
