import { wherePrefix, type ScopedDb } from 'tessera/core';
import type { BillingDocument, DocumentKind, Payment } from '../api';
import { toDocument } from './document-store';
import { toPayment } from '../payments/payment-store';

export interface ListFilters {
  customer_id?: number;
  journal_id?: number;
  status?: string;
  from?: string;
  to?: string;
  q?: string;
  after?: string;
  limit?: number;
}

export interface ListPage<T> {
  data: T[];
  next_cursor: string | null;
}

/** Newest first, by id (keyset: `after` is the last id seen), with the list's filters. */
export async function listDocuments(db: ScopedDb, kind: DocumentKind, f: ListFilters): Promise<ListPage<BillingDocument>> {
  const limit = Math.min(Math.max(Number(f.limit ?? 50), 1), 5000);
  let query = db.queryCompany(db.principal.companyId, 'billing_documents').where({ kind });
  if (f.customer_id) query = query.where({ customer_id: f.customer_id });
  if (f.journal_id) query = query.where({ journal_id: f.journal_id });
  if (f.status === 'open') query = query.where({ status: 'posted' }).where('residual', '>', 0);
  else if (f.status) query = query.where({ status: f.status });
  if (f.from) query = query.where('issue_date', '>=', f.from);
  if (f.to) query = query.where('issue_date', '<=', f.to);
  if (f.q) query = wherePrefix(query, 'number', f.q);
  if (f.after) query = query.where('id', '<', Number(f.after));
  const found = await query.orderBy('id', 'desc').limit(limit + 1);
  const data = found.slice(0, limit).map((r: Record<string, unknown>) => toDocument(r));
  return { data, next_cursor: found.length > limit ? String(data[data.length - 1].id) : null };
}

export async function listPayments(db: ScopedDb, f: ListFilters): Promise<ListPage<Payment>> {
  const limit = Math.min(Math.max(Number(f.limit ?? 50), 1), 5000);
  let query = db.queryCompany(db.principal.companyId, 'billing_payments');
  if (f.customer_id) query = query.where({ customer_id: f.customer_id });
  if (f.journal_id) query = query.where({ journal_id: f.journal_id });
  if (f.status) query = query.where({ status: f.status });
  if (f.from) query = query.where('paid_date', '>=', f.from);
  if (f.to) query = query.where('paid_date', '<=', f.to);
  if (f.q) query = wherePrefix(query, 'reference', f.q);
  if (f.after) query = query.where('id', '<', Number(f.after));
  const found = await query.orderBy('id', 'desc').limit(limit + 1);
  const data = found.slice(0, limit).map((r: Record<string, unknown>) => toPayment(r));
  return { data, next_cursor: found.length > limit ? String(data[data.length - 1].id) : null };
}
