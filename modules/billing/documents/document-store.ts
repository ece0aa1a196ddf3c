import { NotFoundError, type ScopedDb } from 'tessera/core';
import type { BillingDocument, DeliveryStatus, DocumentKind, DocumentLine, DocumentStatus } from '../api';
import { locking, parseJson } from '../shared/caller';

/** A document row as the services and the API return it. */
export function toDocument(row: Record<string, unknown>, lines?: DocumentLine[]): BillingDocument {
  return {
    id: Number(row.id),
    company_id: Number(row.company_id),
    kind: row.kind as DocumentKind,
    customer_id: Number(row.customer_id),
    journal_id: Number(row.journal_id),
    number: (row.number as string | null) ?? null,
    status: row.status as DocumentStatus,
    currency: String(row.currency),
    subtotal: Number(row.subtotal),
    tax: Number(row.tax),
    total: Number(row.total),
    residual: Number(row.residual),
    tax_exempt: Boolean(row.tax_exempt),
    issue_date: String(row.issue_date),
    due_date: (row.due_date as string | null) ?? null,
    delivery_status: (row.delivery_status as DeliveryStatus | null) ?? null,
    origin: row.origin_module ? { module: String(row.origin_module), key: String(row.origin_key) } : null,
    metadata: parseJson<Record<string, unknown>>(row.metadata, {}),
    ...(lines ? { lines } : {}),
  };
}

export function toLine(row: Record<string, unknown>): DocumentLine {
  return {
    id: Number(row.id),
    product_code: String(row.product_code),
    description: String(row.description),
    quantity: Number(row.quantity),
    unit_price: Number(row.unit_price),
    tax_rate: Number(row.tax_rate),
    subtotal: Number(row.subtotal),
    tax: Number(row.tax),
    amount: Number(row.amount),
  };
}

export async function linesOf(db: ScopedDb, documentId: number): Promise<DocumentLine[]> {
  const found = await db.queryCompany(db.principal.companyId, 'billing_document_lines').where({ document_id: documentId }).orderBy('position');
  return found.map(toLine);
}

/** The document with its lines; 404 outside the caller's companies or of another kind. */
export async function loadDocument(db: ScopedDb, id: number, kind?: DocumentKind, lock = false, withLines = true): Promise<BillingDocument> {
  let query = db.query('billing_documents').where('billing_documents.id', id);
  if (kind) query = query.where('kind', kind);
  const row = await (lock ? locking(db, query) : query).first();
  if (!row) throw new NotFoundError(kind ? kindLabel(kind) : 'Document');
  return toDocument(row, withLines ? await linesOf(db, Number(row.id)) : []);
}

export function kindLabel(kind: DocumentKind): string {
  return { quote: 'Quote', order: 'Order', invoice: 'Invoice', credit_note: 'Credit note' }[kind];
}

/** Invoices shown as overdue: posted, not paid, due before the company's today. */
export function displayStatus(doc: Pick<BillingDocument, 'kind' | 'status' | 'residual' | 'total' | 'due_date'>, today: string): string {
  if (doc.kind !== 'invoice' || doc.status !== 'posted') return doc.status;
  if (doc.due_date && doc.due_date < today) return 'overdue';
  return doc.residual < doc.total ? 'partially_paid' : 'posted';
}
