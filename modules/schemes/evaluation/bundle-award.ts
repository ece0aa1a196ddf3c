import type { ScopedDb } from 'tessera/core';
import type { Ports } from '../billing/billing-ports';
import { cachedBundles } from '../bundles/bundle-store';
import { chooseBundle, judge, type BundleRule, type PaymentFacts } from '../bundles/bundle-rules';

/**
 * The bundle a payment earns, with the customer's groups asked of crm at the time of the payment, and
 * only when some bundle could apply on everything else, its trigger included: most payments (top-ups
 * below every trigger) cost no statement at all (the bundles are kept per company, see cachedBundles),
 * the others one (crm's groupIdsOf).
 */
export async function bundleFor(ports: Ports, db: ScopedDb, input: { companyId: number; customerId: number; ownDays: number; journalId: number; day: string }): Promise<BundleRule | null> {
  const bundles = await cachedBundles(ports, db, input.companyId);
  const facts: PaymentFacts = { ownDays: input.ownDays, journalId: input.journalId, day: input.day, groupIds: new Set() };
  // Judged on everything but the groups (as if the customer were in the bundle's own groups): a payment
  // below every trigger, in an excluded journal or outside the validity, never asks crm.
  const candidates = bundles.filter((b) => judge(b, { ...facts, groupIds: new Set(b.group_ids) }) === null);
  if (!candidates.length) return null;
  // One statement through crm's service: the ids of the groups holding the customer now (by shop and by list).
  const groupIds = await ports.groups().groupIdsOf(ports.contextOf(db), input.customerId);
  return chooseBundle(candidates, { ...facts, groupIds: new Set(groupIds) });
}
