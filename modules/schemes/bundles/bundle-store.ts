import type { ScopedDb } from 'tessera/core';
import type { BundleRule } from './bundle-rules';

export const BUNDLES = 'schemes_bundles';

function ids(text: unknown): number[] {
  try {
    const value = typeof text === 'string' ? JSON.parse(text) : text;
    return Array.isArray(value) ? value.map(Number).filter(Number.isSafeInteger) : [];
  } catch {
    return [];
  }
}

export function toRule(r: Record<string, unknown>): BundleRule {
  return {
    id: Number(r.id),
    name: String(r.name),
    journal_id: Number(r.journal_id),
    trigger_days: Number(r.trigger_days),
    reward_days: Number(r.reward_days),
    type: r.type === 'cash_discount' ? 'cash_discount' : 'ontime_only',
    payment_journal_ids: ids(r.payment_journal_ids),
    group_ids: ids(r.group_ids),
    active: Boolean(r.active),
    valid_from: r.valid_from ? String(r.valid_from) : null,
    valid_to: r.valid_to ? String(r.valid_to) : null,
  };
}

/** The company's active bundles (a handful): every payment is judged against all of them. */
export async function activeBundles(db: ScopedDb, companyId: number): Promise<BundleRule[]> {
  const rows = (await db.queryCompany(companyId, BUNDLES).where('active', true).select('id', 'name', 'journal_id', 'trigger_days', 'reward_days', 'type', 'payment_journal_ids', 'group_ids', 'active', 'valid_from', 'valid_to')) as Array<Record<string, unknown>>;
  return rows.map(toRule);
}

/** Bundles that select a group (the group deletion guard). */
export async function bundlesUsingGroup(db: ScopedDb, groupId: number): Promise<string[]> {
  const rows = (await db.query(BUNDLES).select('id', 'name', 'group_ids')) as Array<Record<string, unknown>>;
  return rows.filter((r) => ids(r.group_ids).includes(groupId)).map((r) => String(r.name));
}
