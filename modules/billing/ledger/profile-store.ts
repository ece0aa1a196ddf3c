import type { ScopedDb } from 'tessera/core';
import type { BillingProfile } from '../api';

/** The customer's billing profile; defaults (not exempt, no limit, the company's terms) when none was saved. */
export async function profileOf(db: ScopedDb, customerId: number): Promise<BillingProfile> {
  const row = await db.queryCompany(db.principal.companyId, 'billing_profiles').where({ customer_id: customerId }).first();
  if (row) {
    return {
      customer_id: customerId,
      tax_exempt: Boolean(row.tax_exempt),
      credit_limit: row.credit_limit == null ? null : Number(row.credit_limit),
      payment_terms_days: Number(row.payment_terms_days),
    };
  }
  const settings = await db.settings<{ default_payment_terms_days?: number }>('billing');
  return { customer_id: customerId, tax_exempt: false, credit_limit: null, payment_terms_days: Number(settings.default_payment_terms_days ?? 30) };
}

export async function saveProfile(db: ScopedDb, customerId: number, patch: Partial<Omit<BillingProfile, 'customer_id'>>): Promise<BillingProfile> {
  const current = await profileOf(db, customerId);
  const next = { ...current, ...patch };
  const values = { tax_exempt: next.tax_exempt, credit_limit: next.credit_limit, payment_terms_days: next.payment_terms_days };
  const row = await db.queryCompany(db.principal.companyId, 'billing_profiles').where({ customer_id: customerId }).first('id');
  if (row) await db.update('billing_profiles', row.id, values);
  else await db.insert('billing_profiles', { customer_id: customerId, ...values });
  return next;
}
