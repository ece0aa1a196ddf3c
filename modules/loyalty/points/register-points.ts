import type { ModuleContext } from 'tessera/core';
import { BILLING_EVENTS } from '../../billing/api';
import { LOYALTY } from '../api';
import { pointsApiRoutes } from './points-api';
import { earnOnDocument, reverseOnDocument } from './points-earning';
import { registerExpiryJob } from './points-expiry';
import { registerPointsPages } from './points-pages';
import { pointsPorts } from './points-ports';
import { returnRemovedPoints } from './points-return';
import { PointsService } from './points-service';

/**
 * loyalty's points: settings, earning on billing's paid invoices and completed orders (in billing's
 * transaction), reversal on credit notes and refunds, redemptions on drafts, the ledger, expiry, pages.
 */
export function registerPoints(m: ModuleContext): void {
  const ports = pointsPorts(m.container);
  const points = new PointsService(ports, m.container);
  m.services.bind(LOYALTY.Points, points);
  for (const route of pointsApiRoutes(points)) m.routes.api(route);

  m.events.on(BILLING_EVENTS.invoicePaid, async ({ db, event }) => void (await earnOnDocument(ports, db, 'invoice', event.payload.invoice_id)), { name: 'points-earn-invoice' });
  m.events.on(BILLING_EVENTS.orderCompleted, async ({ db, event }) => void (await earnOnDocument(ports, db, 'order', event.payload.order_id)), { name: 'points-earn-order' });
  m.events.on(
    BILLING_EVENTS.creditNotePosted,
    async ({ db, event }) => {
      const p = event.payload;
      // A credit note for a paid invoice applies to nothing (the invoice owes nothing): it names the invoice in metadata.
      const note = await ports.documents().get(db, p.credit_note_id);
      const named = Number(note.metadata?.invoice_id);
      const credits = p.applied.length ? p.applied : Number.isSafeInteger(named) && named > 0 ? [{ invoice_id: named, amount: p.amount }] : [];
      for (const a of credits) await reverseOnDocument(db, 'invoice', a.invoice_id, a.amount, `credit_note:${p.credit_note_id}:${a.invoice_id}`, `Credit note ${note.number ?? p.credit_note_id}`);
    },
    { name: 'points-reverse-credit-note' },
  );
  m.events.on(
    BILLING_EVENTS.orderRefunded,
    async ({ db, event, eventId }) => {
      const p = event.payload;
      // A refund has no id of its own: the refunded total so far (strictly rising) names it within the order.
      const key = eventId ? `refund:event:${eventId}` : `refund:${p.order_id}:${await refundedSoFar(db, p.order_id, p.amount)}`;
      await reverseOnDocument(db, 'order', p.order_id, p.amount, key, `Refund of order ${p.order_id}`);
    },
    { name: 'points-reverse-refund' },
  );
  m.events.on(BILLING_EVENTS.documentLinesRemoved, async ({ db, event }) => void (await returnRemovedPoints(db, event.payload)), { name: 'points-return-removed-line' });
  registerExpiryJob(m);
  registerPointsPages(m, points);
}

async function refundedSoFar(db: import('tessera/core').ScopedDb, orderId: number, amount: number): Promise<number> {
  const row = (await db.queryCompany(db.principal.companyId, 'loyalty_points_ledger').where({ document_kind: 'order', document_id: orderId, kind: 'reversed' }).sum({ credited: 'amount' }).first()) as Record<string, unknown> | undefined;
  return Number(row?.credited ?? 0) + amount;
}
