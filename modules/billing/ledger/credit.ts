import type { ScopedDb } from 'tessera/core';
import type { Allocation } from '../api';
import { locking } from '../shared/caller';
import { rows } from './account-store';
import { applyToInvoices, recordAllocations, type Source } from './allocation';

/** Where a customer's credit comes from: paid payments' unallocated part and credit notes' residual, oldest first. */
async function creditSources(db: ScopedDb, customerId: number): Promise<Array<Source & { available: number }>> {
  const companyId = db.principal.companyId;
  const payments: Array<Record<string, unknown>> = await locking(
    db,
    db.queryCompany(companyId, 'billing_payments').where({ customer_id: customerId, status: 'paid' }).where('unallocated', '>', 0).orderBy('id'),
  ).select('id', 'unallocated');
  const notes: Array<Record<string, unknown>> = await locking(
    db,
    db.queryCompany(companyId, 'billing_documents').where({ customer_id: customerId, kind: 'credit_note', status: 'posted' }).where('residual', '>', 0).orderBy('id'),
  ).select('id', 'residual');
  return [
    ...notes.map((n) => ({ kind: 'credit_note' as const, id: Number(n.id), available: Number(n.residual) })),
    ...payments.map((p) => ({ kind: 'payment' as const, id: Number(p.id), available: Number(p.unallocated) })),
  ];
}

/** Takes `amount` off a source's unapplied part with a guarded update (never below 0). */
async function takeFromSource(db: ScopedDb, source: Source, amount: number): Promise<void> {
  const [table, column] = source.kind === 'payment' ? ['billing_payments', 'unallocated'] : ['billing_documents', 'residual'];
  const changed = await rows(db)(table)
    .where({ id: source.id, company_id: db.principal.companyId })
    .where(column, '>=', amount)
    .update({ [column]: rows(db).raw(`${column} - ?`, [amount]) });
  if (Number(changed) !== 1) throw new Error(`credit source ${source.kind} ${source.id} has less than ${amount} left`);
}

/**
 * Spends up to `amount` of the customer's credit on the targets (invoices, in order), or consumes it
 * for another module when `targets` is null. The caller holds the account lock and moves the
 * account's credit by the total returned.
 */
export async function spendFromCredit(
  db: ScopedDb,
  customerId: number,
  amount: number,
  targets: Array<{ id: number; residual: number; total: number }> | null,
  reference: string | null = null,
): Promise<{ spent: number; allocations: Allocation[] }> {
  let remaining = amount;
  const allocations: Allocation[] = [];
  for (const source of await creditSources(db, customerId)) {
    if (remaining <= 0) break;
    let portion = Math.min(remaining, source.available);
    if (targets) {
      const applied = await applyToInvoices(db, customerId, source, portion, targets, reference);
      portion = applied.reduce((sum, a) => sum + a.amount, 0);
      allocations.push(...applied);
    } else {
      await recordAllocations(db, customerId, source, [{ invoice_id: null, amount: portion }], reference);
    }
    if (portion <= 0) break;
    await takeFromSource(db, source, portion);
    remaining -= portion;
  }
  return { spent: amount - remaining, allocations };
}
