/**
 * billing's public face: the one file other modules import. Services are bound in the shared container
 * under `BILLING.*`; get them with `container.get<PaymentService>(BILLING.Payments)`.
 *
 * Every service method takes a `Caller`: an event handler's `ScopedDb` (the call then runs inside that
 * transaction, so a throw rolls everything back) or a route's `RequestContext` (the service opens its
 * own transaction). Money is integer minor units of the company's currency, rates are basis points.
 * Nobody reads billing's tables: use these services, the events below and the view slots.
 */
import type { RequestContext, ScopedDb } from 'tessera/core';
export { ConfigurationError } from 'tessera/core';

export const BILLING = {
  Documents: Symbol.for('billing.Documents'),
  Payments: Symbol.for('billing.Payments'),
  CreditNotes: Symbol.for('billing.CreditNotes'),
  Accounts: Symbol.for('billing.Accounts'),
  Catalog: Symbol.for('billing.Catalog'),
} as const;

export const BILLING_PERMISSIONS = {
  documentRead: 'billing.document.read',
  quoteWrite: 'billing.quote.write',
  orderWrite: 'billing.order.write',
  invoiceWrite: 'billing.invoice.write',
  invoicePost: 'billing.invoice.post',
  creditNoteWrite: 'billing.credit_note.write',
  paymentRecord: 'billing.payment.record',
  paymentReverse: 'billing.payment.reverse',
  journalManage: 'billing.journal.manage',
  productManage: 'billing.product.manage',
  reportRead: 'billing.report.read',
  selectiveRun: 'billing.selective.run',
  profileManage: 'billing.profile.manage',
} as const;

/** Who calls: a transaction's scoped data access (event handlers) or a request's context. */
export type Caller = ScopedDb | RequestContext;

// ---------------------------------------------------------------------------------------------
// Catalog

export type JournalKind = 'sale' | 'cash' | 'bank' | 'mobile_money' | 'discount';
export interface Journal {
  id: number;
  company_id: number;
  code: string;
  name: string;
  kind: JournalKind;
  /** Document number pattern, e.g. `INV/{year}/{seq:5}`. */
  number_format: string;
  active: boolean;
}
export interface Tax {
  id: number;
  company_id: number;
  name: string;
  /** Basis points: 1800 is 18 %. */
  rate: number;
}
export interface Product {
  id: number;
  company_id: number;
  code: string;
  name: string;
  unit_price: number;
  tax_id: number | null;
  active: boolean;
}

export interface CatalogService {
  /** The active product with this code; a ConfigurationError (422, naming the code) when there is none. */
  productByCode(db: Caller, code: string): Promise<Product>;
  /** The journal with this code; a ConfigurationError naming the code when there is none. */
  journalByCode(db: Caller, code: string): Promise<Journal>;
  journal(db: Caller, id: number): Promise<Journal>;
  tax(db: Caller, id: number): Promise<Tax>;
}

// ---------------------------------------------------------------------------------------------
// Documents

export type DocumentKind = 'quote' | 'order' | 'invoice' | 'credit_note';
export type DocumentStatus = 'draft' | 'posted' | 'paid' | 'cancelled' | 'converted';
export type DeliveryStatus = 'preparing' | 'shipped' | 'received' | 'completed' | 'cancelled';
/** Who made a document for another module's run; unique per company, so making it again answers the same one. */
export interface Origin {
  module: string;
  key: string;
}

export interface LineInput {
  productCode: string;
  /** Thousandths are not supported: quantities are whole units (negative for a redemption line). */
  quantity: number;
  /** Minor units; the product's price when left out. May be negative (points redemption). */
  unitPrice?: number;
  description?: string;
  /** Forces no tax on this line (the customer's exemption applies anyway). */
  taxExempt?: boolean;
}

export interface DocumentLine {
  id: number;
  product_code: string;
  description: string;
  quantity: number;
  unit_price: number;
  /** Basis points snapshotted from the product's tax when the line was made (0 when exempt). */
  tax_rate: number;
  /** quantity * unit_price. */
  subtotal: number;
  /** subtotal * tax_rate / 10000, rounded half-up once for the line. */
  tax: number;
  /** subtotal + tax. */
  amount: number;
}

export interface BillingDocument {
  id: number;
  company_id: number;
  kind: DocumentKind;
  customer_id: number;
  journal_id: number;
  /** Null while a draft (and for quotes, which never take an invoice number). */
  number: string | null;
  status: DocumentStatus;
  currency: string;
  subtotal: number;
  tax: number;
  total: number;
  /** What is still owed (invoices) or still to apply (credit notes). */
  residual: number;
  /** Copied from the customer's billing profile when the document was made. */
  tax_exempt: boolean;
  /** Company calendar days, `YYYY-MM-DD`. */
  issue_date: string;
  due_date: string | null;
  delivery_status: DeliveryStatus | null;
  origin: Origin | null;
  metadata: Record<string, unknown>;
  lines?: DocumentLine[];
}

export interface CreateDocumentInput {
  customerId: number;
  journalId?: number;
  lines: LineInput[];
  origin?: Origin;
  metadata?: Record<string, unknown>;
  /** Invoices: post at once (numbered, receivable written). */
  post?: boolean;
  dueDate?: string;
}

export interface DocumentService {
  /** Same `origin` again answers the existing document (idempotent for other modules' runs). */
  createInvoice(db: Caller, input: CreateDocumentInput): Promise<BillingDocument>;
  createQuote(db: Caller, input: CreateDocumentInput): Promise<BillingDocument>;
  createOrder(db: Caller, input: CreateDocumentInput): Promise<BillingDocument>;
  /** On a draft invoice or an open order; negative lines allowed (points redemption). */
  addLine(db: Caller, documentId: number, line: LineInput): Promise<BillingDocument>;
  /** Replaces every line of a draft; lines that leave it are published as `billing.document.lines_removed`. */
  replaceLines(db: Caller, documentId: number, lines: LineInput[]): Promise<BillingDocument>;
  post(db: Caller, invoiceId: number): Promise<BillingDocument>;
  /** Posted invoices with a residual, oldest first. */
  openInvoices(db: Caller, customerId: number): Promise<BillingDocument[]>;
  /** `lines: false` answers the document without its lines (an empty list): one read, for a caller checking its customer, status or residual. */
  get(db: Caller, id: number, options?: { lines?: boolean }): Promise<BillingDocument>;
  /** A quote becomes an order or a posted invoice; the quote itself never touched the receivables. */
  convertQuote(db: Caller, quoteId: number, to: 'order' | 'invoice'): Promise<BillingDocument>;
  setDeliveryStatus(db: Caller, orderId: number, status: DeliveryStatus): Promise<BillingDocument>;
  refundOrder(db: Caller, orderId: number, amount: number, reason: string): Promise<BillingDocument>;
}

// ---------------------------------------------------------------------------------------------
// Payments

export type PaymentMethod = 'cash' | 'card' | 'bank' | 'mobile_money' | 'online' | 'credit';
export type PaymentStatus = 'processing' | 'paid' | 'failed' | 'reversed';

export interface Allocation {
  invoice_id: number;
  amount: number;
}

export interface Payment {
  id: number;
  company_id: number;
  customer_id: number;
  journal_id: number;
  amount: number;
  currency: string;
  method: PaymentMethod;
  reference: string;
  status: PaymentStatus;
  /** Part of the amount not allocated to invoices: customer credit. */
  unallocated: number;
  allocations: Allocation[];
  metadata: Record<string, unknown>;
  /** When it became paid (ISO 8601, UTC); null while processing or failed. */
  paid_at?: string | null;
  /** False when the reference already existed and this is that payment. */
  created?: boolean;
}

export interface RecordPaymentInput {
  customerId: number;
  journalId: number;
  amount: number;
  method: PaymentMethod;
  /** Unique per company and journal: the same reference again answers the existing payment. */
  reference: string;
  status?: 'processing' | 'paid';
  /** Allocate to these invoices (in this order) instead of oldest first. */
  invoiceIds?: number[];
  /** False keeps the whole amount as customer credit (a module that applies it itself). Default true. */
  allocate?: boolean;
  /**
   * With `invoiceIds`: the whole amount must go to them, else the payment is refused (422 on `amount`)
   * rather than leaving credit. A caller that would read the invoices only to check that (a spend from
   * loyalty's balance) lets billing's own guarded update decide instead.
   */
  wholly?: boolean;
  /**
   * Kept with the payment and sent in its events. `purpose` (see `paymentPurpose`) names what the payment
   * was recorded for (`schemes.gold`, `loyalty.recharge`): a module that applies a customer's payments
   * of its own accord (pay plans) leaves a payment with a purpose to the module that named it.
   */
  metadata?: Record<string, unknown>;
  /**
   * When the money was really paid (ISO 8601 instant), for a payment recorded after the fact (an offline
   * receipt); not in the future. Default: now. Its company calendar day is the payment's paid day.
   */
  paidAt?: string;
}

/** What a payment was recorded for, when the module that recorded it said so; null for a plain payment. */
export function paymentPurpose(metadata: Record<string, unknown> | null | undefined): string | null {
  const purpose = metadata?.purpose;
  return typeof purpose === 'string' && purpose !== '' ? purpose : null;
}

export interface PaymentService {
  record(db: Caller, input: RecordPaymentInput): Promise<Payment>;
  /** processing → paid: allocates and publishes `billing.payment.posted`. Paid already: answers it. */
  confirm(db: Caller, id: number): Promise<Payment>;
  /** processing → failed; no money moved. */
  fail(db: Caller, id: number): Promise<Payment>;
  /** paid → reversed: allocations undone by counter rows, `billing.payment.reversed` published. */
  reverse(db: Caller, id: number, reason: string): Promise<Payment>;
  get(db: Caller, id: number): Promise<Payment>;
}

// ---------------------------------------------------------------------------------------------
// Credit notes

export interface CreditNote {
  id: number;
  customer_id: number;
  journal_id: number;
  number: string;
  amount: number;
  currency: string;
  applied: Allocation[];
  /** Left as customer credit. */
  unapplied: number;
  origin: Origin | null;
  /** `reversed` once `CreditNoteService.reverse` undid it (its `applied` is then empty). */
  status?: 'posted' | 'reversed';
}

export interface StandaloneCreditNoteInput {
  customerId: number;
  journalId: number;
  amount: number;
  reason: string;
  origin?: Origin;
  metadata?: Record<string, unknown>;
}

export interface CreditNoteService {
  /** Posted and applied to the LATEST outstanding invoice first, then the next latest; rest is credit. */
  createStandalone(db: Caller, input: StandaloneCreditNoteInput): Promise<CreditNote>;
  /** Against one posted invoice, for at most its residual. */
  createForInvoice(db: Caller, input: { invoiceId: number; amount: number; reason: string; journalId?: number }): Promise<CreditNote>;
  /**
   * Undoes a posted credit note by counter rows (nothing deleted): every invoice it paid gets exactly
   * that amount back on its residual, its unapplied part leaves the customer's credit, the ledger gets
   * the amount back, and `billing.credit_note.reversed` is published. Reversing again answers the
   * reversed note. Refused (409) while another module still holds credit it consumed from the note.
   */
  reverse(db: Caller, creditNoteId: number, reason: string): Promise<CreditNote>;
}

// ---------------------------------------------------------------------------------------------
// Accounts (receivables)

export interface AccountBalance {
  customer_id: number;
  currency: string;
  /** What the customer owes: sum of the ledger (negative when in credit). */
  balance: number;
  /** Credit available to spend (unallocated payments and credit notes). */
  credit: number;
  openInvoices: number;
}

export interface BillingProfile {
  customer_id: number;
  tax_exempt: boolean;
  credit_limit: number | null;
  payment_terms_days: number;
}

export interface AccountService {
  balance(db: Caller, customerId: number): Promise<AccountBalance>;
  /**
   * Applies the customer's credit to open invoices (oldest first, or `invoiceIds`), or consumes it for
   * another module (`consume: true`: gold redemption); refused beyond the credit available. Idempotent by `reference`.
   */
  spendCredit(db: Caller, input: { customerId: number; amount: number; reference: string; invoiceIds?: number[]; consume?: boolean; metadata?: Record<string, unknown> }): Promise<{ spent: number; allocations: Allocation[] }>;
  profile(db: Caller, customerId: number): Promise<BillingProfile>;
  setProfile(db: Caller, customerId: number, patch: Partial<Omit<BillingProfile, 'customer_id'>>): Promise<BillingProfile>;
}

// Events: payloads and names in events.ts
export * from './events';

export const BILLING_SLOTS = {
  invoicePanels: 'billing.invoice.panels',
  paymentPanels: 'billing.payment.panels',
} as const;
