import type { ScopedDb } from 'tessera/core';
import type { OfferRule } from './offer-rules';

/** The company's active offers of one kind, as the pure rules take them. */
export async function activeOffers(db: ScopedDb, companyId: number, kind: OfferRule['kind']): Promise<OfferRule[]> {
  const rows = (await db.queryCompany(companyId, 'loyalty_offers').where({ kind, active: true }).orderBy('id')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: Number(r.id),
    name: String(r.name),
    kind,
    rate_bps: Number(r.rate_bps),
    threshold: Number(r.threshold),
    payment_methods: parseList(r.payment_methods),
    active: Boolean(r.active),
    valid_from: (r.valid_from as string | null) ?? null,
    valid_to: (r.valid_to as string | null) ?? null,
  }));
}

function parseList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  try {
    const parsed = JSON.parse(String(value ?? '[]'));
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}
