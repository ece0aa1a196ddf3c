import { ConflictError, ValidationError, type ScopedDb } from 'tessera/core';
import { BILLING_EVENTS, type BillingDocument, type DeliveryStatus } from '../api';
import { addDays, calendarDay, companyFacts } from '../shared/caller';
import { profileOf } from '../ledger/profile-store';
import { rows } from '../ledger/account-store';
import { loadDocument } from './document-store';
import { postInvoice } from './invoice-posting';
import { publishLinesRemoved } from './removed-lines';

/**
 * Copies a document's lines into a new one of another kind (a quote's order or invoice, an order's
 * invoice); `source_id` links them and makes the copy idempotent: converting twice answers the first copy.
 */
async function copyInto(db: ScopedDb, source: BillingDocument, kind: 'order' | 'invoice'): Promise<number> {
  const existing = await db.queryCompany(db.principal.companyId, 'billing_documents').where({ source_id: source.id, kind }).first('id');
  if (existing) return Number(existing.id);
  const facts = await companyFacts(db);
  const today = calendarDay(facts.timezone);
  const profile = await profileOf(db, source.customer_id);
  const id = await db.insert('billing_documents', {
    kind,
    customer_id: source.customer_id,
    journal_id: source.journal_id,
    status: 'draft',
    currency: source.currency,
    subtotal: source.subtotal,
    tax: source.tax,
    total: source.total,
    residual: source.total,
    // The source's exemption was snapshotted when it was made; the copy keeps it, as it keeps the amounts.
    tax_exempt: source.tax_exempt,
    issue_date: today,
    due_date: kind === 'invoice' ? addDays(today, profile.payment_terms_days) : null,
    delivery_status: kind === 'order' ? 'preparing' : null,
    source_id: source.id,
    metadata: JSON.stringify(source.metadata ?? {}),
  });
  const lines = source.lines ?? [];
  if (lines.length) {
    await rows(db)('billing_document_lines').insert(
      lines.map((l, i) => ({
        company_id: db.principal.companyId,
        document_id: id,
        position: i + 1,
        product_code: l.product_code,
        description: l.description,
        quantity: l.quantity,
        unit_price: l.unit_price,
        tax_rate: l.tax_rate,
        subtotal: l.subtotal,
        tax: l.tax,
        amount: l.amount,
      })),
    );
  }
  return id;
}

/** A quote becomes an order or a posted invoice whose receivable is the quote's total. */
export async function convertQuote(db: ScopedDb, quoteId: number, to: 'order' | 'invoice'): Promise<BillingDocument> {
  const quote = await loadDocument(db, quoteId, 'quote', true);
  if (quote.status === 'cancelled') throw new ConflictError('A cancelled quote cannot be converted');
  const id = await copyInto(db, quote, to);
  if (quote.status !== 'converted') {
    await rows(db)('billing_documents').where({ id: quote.id }).update({ status: 'converted' });
    await db.audit({ table: 'billing_documents', recordId: quote.id, action: 'convert', changes: { to, document_id: id } });
  }
  return to === 'invoice' ? postInvoice(db, id) : loadDocument(db, id);
}

/** Bills an order: its invoice, posted (once: a second call answers the same invoice). */
export async function invoiceOrder(db: ScopedDb, orderId: number): Promise<BillingDocument> {
  const order = await loadDocument(db, orderId, 'order', true);
  if (order.status === 'cancelled') throw new ConflictError('A cancelled order cannot be invoiced');
  const id = await copyInto(db, order, 'invoice');
  if (order.status === 'draft') {
    await rows(db)('billing_documents').where({ id: order.id }).update({ status: 'converted', invoice_id: id });
    await db.audit({ table: 'billing_documents', recordId: order.id, action: 'invoice', changes: { invoice_id: id } });
  }
  return postInvoice(db, id);
}

const NEXT: Record<DeliveryStatus, DeliveryStatus[]> = {
  preparing: ['shipped', 'completed', 'cancelled'],
  shipped: ['received', 'completed', 'cancelled'],
  received: ['completed'],
  completed: [],
  cancelled: [],
};

/** Moves an order's delivery on; reaching completed publishes `billing.order.completed`. */
export async function setDeliveryStatus(db: ScopedDb, orderId: number, status: DeliveryStatus): Promise<BillingDocument> {
  const order = await loadDocument(db, orderId, 'order', true);
  const current = (order.delivery_status ?? 'preparing') as DeliveryStatus;
  if (current === status) return order;
  if (!NEXT[current]?.includes(status)) throw new ValidationError({ status: `cannot go from ${current} to ${status}` });
  const draftCancelled = status === 'cancelled' && order.status === 'draft';
  await db.update('billing_documents', order.id, { delivery_status: status, ...(draftCancelled ? { status: 'cancelled' } : {}) });
  if (draftCancelled) await publishLinesRemoved(db, order, (order.lines ?? []).map(({ product_code, description, quantity, unit_price, amount }) => ({ product_code, description, quantity, unit_price, amount })), 'cancelled');
  if (status === 'completed') {
    await db.publish(BILLING_EVENTS.orderCompleted, {
      order_id: order.id,
      customer_id: order.customer_id,
      total: order.total,
      lines: (order.lines ?? []).map((l) => ({ product_code: l.product_code, quantity: l.quantity, amount: l.amount })),
    });
  }
  return loadDocument(db, order.id);
}

/** Refunds part or all of an order (never more than what is left); `billing.order.refunded` tells cashback to undo. */
export async function refundOrder(db: ScopedDb, orderId: number, amount: number, reason: string): Promise<BillingDocument> {
  const order = await loadDocument(db, orderId, 'order', true);
  const row = await db.queryCompany(db.principal.companyId, 'billing_documents').where({ id: order.id }).first('refunded');
  const refunded = Number(row?.refunded ?? 0);
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new ValidationError({ amount: 'must be a positive amount in minor units' });
  if (amount > order.total - refunded) throw new ValidationError({ amount: `must be at most ${order.total - refunded}, what is left to refund` });
  await db.update('billing_documents', order.id, { refunded: refunded + amount, reason: String(reason ?? '').slice(0, 500) || null });
  await db.publish(BILLING_EVENTS.orderRefunded, { order_id: order.id, customer_id: order.customer_id, amount });
  return loadDocument(db, order.id);
}
