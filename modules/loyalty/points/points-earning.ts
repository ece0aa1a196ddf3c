import { parseAmount, type ScopedDb } from 'tessera/core';
import type { BillingDocument } from '../../billing/api';
import { LEDGER, appendLine, lockAccount } from './points-ledger';
import type { PointsPorts } from './points-ports';
import { earningBase, pointsEarned, pointsToReverse } from './points-rules';
import { readSettings } from './points-settings';

/** Minor units in one unit of the currency (100 for EUR), read from core's money format, not a table of our own. */
export function minorPerUnit(currency: string): number {
  return parseAmount('1', currency) ?? 100;
}

/**
 * Was the loyalty card presented for this document? The card is the number loyalty keeps on the
 * customer's points account. A document may say what was shown at the till in `metadata.loyalty_card`
 * (the number, or `false` for none); a number that is not the customer's card counts as no card. When
 * the document says nothing (billing's counter page, for one), the customer's card on file counts as
 * presented, so only carded customers earn in a card-mandatory company.
 */
export function cardPresented(doc: Pick<BillingDocument, 'metadata'>, cardOnFile: string | null): boolean {
  const stated = doc.metadata?.loyalty_card;
  if (stated === undefined || stated === null || stated === true) return cardOnFile !== null && cardOnFile !== '';
  if (stated === false || !cardOnFile) return false;
  return String(stated).trim().toUpperCase() === cardOnFile.toUpperCase();
}

export type EarnOutcome = { points: number; base: number; created: boolean } | { points: 0; reason: string };

/**
 * Points earned by a paid invoice or a completed order: `floor(base × ratio)` on what the customer paid
 * in money (discounts and the points line counted, see `earningBase`). Runs in billing's transaction;
 * the ledger's source key `earn:<kind>:<id>` makes a second delivery write nothing. Never throws for a
 * business reason: a throw would roll the payment back.
 */
export async function earnOnDocument(ports: PointsPorts, db: ScopedDb, kind: 'invoice' | 'order', documentId: number): Promise<EarnOutcome> {
  const settings = await readSettings(db);
  if (!settings.active) return { points: 0, reason: 'points are not active' };
  const doc = await ports.documents().get(db, documentId);
  // An invoiced order ("converted") earns through its invoice when that is paid: never twice for one sale.
  if (kind === 'order' && doc.status === 'converted') return { points: 0, reason: 'the order was invoiced: its invoice earns' };
  const account = await lockAccount(db, doc.customer_id);
  if (settings.card_mandatory && !cardPresented(doc, account.card_number)) return { points: 0, reason: 'no card presented' };
  const base = earningBase(doc.lines ?? [], settings.product_code);
  const points = pointsEarned(base, settings.ratio_bp, minorPerUnit(doc.currency));
  if (points <= 0) return { points: 0, reason: 'nothing to earn' };
  const { line, created } = await appendLine(db, {
    customerId: doc.customer_id,
    kind: 'earned',
    points,
    amount: base,
    documentKind: kind,
    documentId: doc.id,
    sourceKey: `earn:${kind}:${doc.id}`,
    reason: `${kind === 'invoice' ? 'Invoice' : 'Order'} ${doc.number ?? doc.id}`,
  });
  return { points: line.points, base, created };
}

/**
 * Takes back, in proportion, the points a document earned when `amount` of it is credited or refunded.
 * `key` identifies this credit (the credit note, the refund's event) so a second delivery writes nothing.
 */
export async function reverseOnDocument(db: ScopedDb, kind: 'invoice' | 'order', documentId: number, amount: number, key: string, reason: string): Promise<number> {
  const companyId = db.principal.companyId;
  const earned = await db.queryCompany(companyId, LEDGER).where({ source_key: `earn:${kind}:${documentId}` }).first();
  if (!earned) return 0;
  const customerId = Number(earned.customer_id);
  await lockAccount(db, customerId);
  const before = (await db.queryCompany(companyId, LEDGER).where({ document_kind: kind, document_id: documentId, kind: 'reversed' }).select(db.unscoped('aggregate').raw('coalesce(sum(amount), 0) as credited'), db.unscoped('aggregate').raw('coalesce(sum(points), 0) as points')).first()) as Record<string, unknown>;
  const credited = Number(before.credited) + amount;
  const points = pointsToReverse(Number(earned.points), Number(earned.amount), credited, -Number(before.points));
  // A line even for 0 points: it carries the amount credited, which the next credit's proportion counts.
  const { line } = await appendLine(db, { customerId, kind: 'reversed', points: -points, amount, documentKind: kind, documentId, sourceKey: `reverse:${key}`, reason });
  return -line.points;
}
