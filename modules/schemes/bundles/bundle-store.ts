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

/** The company's active bundles (a handful), read from the database: the preview and the cache use this. */
export async function activeBundles(db: ScopedDb, companyId: number): Promise<BundleRule[]> {
  const rows = (await db.queryCompany(companyId, BUNDLES).where('active', true).select('id', 'name', 'journal_id', 'trigger_days', 'reward_days', 'type', 'payment_journal_ids', 'group_ids', 'active', 'valid_from', 'valid_to')) as Array<Record<string, unknown>>;
  return rows.map(toRule);
}

/** Bundles that select a group (the group deletion guard). */
export async function bundlesUsingGroup(db: ScopedDb, groupId: number): Promise<string[]> {
  const rows = (await db.query(BUNDLES).select('id', 'name', 'group_ids')) as Array<Record<string, unknown>>;
  return rows.filter((r) => ids(r.group_ids).includes(groupId)).map((r) => String(r.name));
}

/**
 * The company's active bundles as every payment judges them, kept per kernel (its ports) and company so
 * a payment costs no bundle read. A bundle written in this process drops its company's copy, and for
 * BUNDLE_QUIET_MS after the write nothing is kept (a payment reading before the write commits would keep
 * the old rows); a write in another process (another instance) applies within BUNDLE_TTL_MS.
 */
const bundleCaches = new WeakMap<object, Map<number, { rules: BundleRule[] | null; at: number; quietUntil: number }>>();
export const BUNDLE_TTL_MS = 10_000;
const BUNDLE_QUIET_MS = 1_000;

function cacheOf(owner: object) {
  let cache = bundleCaches.get(owner);
  if (!cache) bundleCaches.set(owner, (cache = new Map()));
  return cache;
}

export async function cachedBundles(owner: object, db: ScopedDb, companyId: number, now = Date.now()): Promise<BundleRule[]> {
  const cache = cacheOf(owner);
  const entry = cache.get(companyId);
  if (entry?.rules && now - entry.at < BUNDLE_TTL_MS && now >= entry.quietUntil) return entry.rules;
  const rules = await activeBundles(db, companyId);
  if (!entry || now >= entry.quietUntil) {
    if (cache.size > 10_000) cache.clear();
    cache.set(companyId, { rules, at: now, quietUntil: 0 });
  }
  return rules;
}

/** A bundle of the company was written: forget its bundles (the entity's afterWrite hook). */
export function forgetBundles(owner: object, companyId: number, now = Date.now()): void {
  cacheOf(owner).set(companyId, { rules: null, at: 0, quietUntil: now + BUNDLE_QUIET_MS });
}
