import type { ScopedDb } from 'tessera/core';
import type { BillingDocument, DocumentLine } from '../api';
import { BILLING_EVENTS, type DocumentLinesRemoved } from '../events';

type WireLine = DocumentLinesRemoved['lines'][number];

const sameness = (l: WireLine): string => JSON.stringify([l.product_code, l.description, l.quantity, l.unit_price]);
const wire = (l: DocumentLine): WireLine => ({ product_code: l.product_code, description: l.description, quantity: l.quantity, unit_price: l.unit_price, amount: l.amount });

/**
 * The lines of `before` that `after` no longer holds, counted as a multiset: a form that saves the
 * draft sends back every line it kept, so a coupon or points line sent back unchanged was not removed.
 */
export function linesRemoved(before: DocumentLine[], after: DocumentLine[]): WireLine[] {
  const kept = new Map<string, number>();
  for (const line of after.map(wire)) kept.set(sameness(line), (kept.get(sameness(line)) ?? 0) + 1);
  const removed: WireLine[] = [];
  for (const line of before.map(wire)) {
    const left = kept.get(sameness(line)) ?? 0;
    if (left > 0) kept.set(sameness(line), left - 1);
    else removed.push(line);
  }
  return removed;
}

/** Tells the modules that added lines to a draft (coupons, points) that some left it, in the writer's transaction. */
export async function publishLinesRemoved(db: ScopedDb, doc: BillingDocument, lines: WireLine[], reason: DocumentLinesRemoved['reason']): Promise<void> {
  if (!lines.length || (doc.kind !== 'quote' && doc.kind !== 'order' && doc.kind !== 'invoice')) return;
  await db.publish(BILLING_EVENTS.documentLinesRemoved, { document_id: doc.id, kind: doc.kind, customer_id: doc.customer_id, reason, lines });
}
