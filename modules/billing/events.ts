/**
 * billing's declared events: the payloads other modules subscribe to (declared in manifest.json with their
 * JSON Schemas; published in the writer's transaction). Part of billing's public face through api.ts.
 */
import { eventName } from 'tessera/core';
import type { Allocation, Origin, PaymentMethod } from './api';

export interface PaymentPosted {
  payment_id: number;
  customer_id: number;
  journal_id: number;
  journal_code: string;
  amount: number;
  currency: string;
  method: PaymentMethod;
  reference: string;
  allocations: Allocation[];
  metadata: Record<string, unknown>;
  /** When the payment became paid (ISO 8601, UTC): "paid on time" is judged on its company calendar day. */
  paid_at: string;
}
export interface PaymentReversed {
  payment_id: number;
  customer_id: number;
  amount: number;
  reference: string;
  metadata: Record<string, unknown>;
}
export interface InvoicePosted {
  invoice_id: number;
  customer_id: number;
  number: string;
  total: number;
  currency: string;
  lines: Array<{ product_code: string; quantity: number; amount: number }>;
  origin: Origin | null;
}
export interface InvoicePaid {
  invoice_id: number;
  customer_id: number;
  total: number;
}
export interface CreditNotePosted {
  credit_note_id: number;
  customer_id: number;
  amount: number;
  applied: Allocation[];
  origin: Origin | null;
}
export interface CreditNoteReversed {
  credit_note_id: number;
  customer_id: number;
  amount: number;
  /** What was still customer credit, now withdrawn. */
  unapplied: number;
  /** What each invoice got back on its residual. */
  restored: Allocation[];
  origin: Origin | null;
  reason: string;
}
export interface OrderCompleted {
  order_id: number;
  customer_id: number;
  total: number;
  lines: Array<{ product_code: string; quantity: number; amount: number }>;
}
export interface OrderRefunded {
  order_id: number;
  customer_id: number;
  amount: number;
}
export interface DocumentLinesRemoved {
  document_id: number;
  kind: 'quote' | 'order' | 'invoice';
  customer_id: number;
  /** `edited`: the draft's lines were replaced without these; `cancelled`: the draft went with all of them. */
  reason: 'edited' | 'cancelled';
  lines: Array<{ product_code: string; description: string; quantity: number; unit_price: number; amount: number }>;
}

export const BILLING_EVENTS = {
  /** A payment became paid (recorded paid, or confirmed). A handler that throws rolls the payment back. */
  paymentPosted: eventName<PaymentPosted>('billing.payment.posted'),
  paymentReversed: eventName<PaymentReversed>('billing.payment.reversed'),
  invoicePosted: eventName<InvoicePosted>('billing.invoice.posted'),
  /** The invoice's residual reached 0. */
  invoicePaid: eventName<InvoicePaid>('billing.invoice.paid'),
  creditNotePosted: eventName<CreditNotePosted>('billing.credit_note.posted'),
  /** A credit note was undone by counter rows; handlers undo what they did for it. */
  creditNoteReversed: eventName<CreditNoteReversed>('billing.credit_note.reversed'),
  orderCompleted: eventName<OrderCompleted>('billing.order.completed'),
  orderRefunded: eventName<OrderRefunded>('billing.order.refunded'),
  /** Lines left a draft (an edit or its cancellation): whoever added one of them gives back what it took. */
  documentLinesRemoved: eventName<DocumentLinesRemoved>('billing.document.lines_removed'),
} as const;
