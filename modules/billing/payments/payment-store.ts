import { NotFoundError, type ScopedDb } from 'tessera/core';
import type { Payment, PaymentMethod, PaymentStatus } from '../api';
import { locking, parseJson } from '../shared/caller';
import { netAllocations } from '../ledger/allocation';

export const PAYMENT_METHODS: PaymentMethod[] = ['cash', 'card', 'bank', 'mobile_money', 'online', 'credit'];

export function toPayment(row: Record<string, unknown>): Payment {
  return {
    id: Number(row.id),
    company_id: Number(row.company_id),
    customer_id: Number(row.customer_id),
    journal_id: Number(row.journal_id),
    amount: Number(row.amount),
    currency: String(row.currency),
    method: row.method as PaymentMethod,
    reference: String(row.reference),
    status: row.status as PaymentStatus,
    unallocated: Number(row.unallocated),
    allocations: [],
    metadata: parseJson<Record<string, unknown>>(row.metadata, {}),
    // MariaDB answers a Date, SQLite the milliseconds knex stored.
    paid_at: row.paid_at === null || row.paid_at === undefined ? null : new Date(row.paid_at as Date | number | string).toISOString(),
  };
}

/** The payment with its net allocations; 404 outside the caller's companies. `lock` reads the latest committed rows, locked. */
export async function loadPayment(db: ScopedDb, id: number, lock = false, latestAllocations = false): Promise<Payment> {
  const query = db.query('billing_payments').where('billing_payments.id', id);
  const row = await (lock ? locking(db, query) : query).first();
  if (!row) throw new NotFoundError('Payment');
  const payment = toPayment(row);
  payment.allocations = await netAllocations(db, { kind: 'payment', id: payment.id }, latestAllocations);
  return payment;
}

/** The payment of a reference in a journal (a locking read sees what others committed since the transaction began). */
export async function paymentByReference(db: ScopedDb, journalId: number, reference: string, lock: boolean): Promise<Payment | null> {
  const query = db.queryCompany(db.principal.companyId, 'billing_payments').where({ journal_id: journalId, reference });
  const row = await (lock ? locking(db, query) : query).first('id');
  return row ? loadPayment(db, Number(row.id), lock, lock) : null;
}

export function paymentStatus(value: unknown): PaymentStatus {
  return value as PaymentStatus;
}
