import { ConflictError, ValidationError, deferredWrite, sentWithNext, type ScopedDb } from 'tessera/core';
import type { Knex } from 'knex';
import { BILLING_EVENTS, type Allocation } from '../api';
import { locking } from '../shared/caller';
import { rows } from './account-store';

export type SourceKind = 'payment' | 'credit_note';
export interface Source {
  kind: SourceKind;
  id: number;
}

/**
 * The customer's open invoices to apply money to, locked: the picked ones in the order given, else
 * oldest first (payments) or latest first (standalone credit notes).
 */
export async function openTargets(db: ScopedDb, customerId: number, options: TargetOptions): Promise<Target[]> {
  return openTargetsFrom(await openTargetsQuery(db, customerId, options), options);
}

export type Target = { id: number; residual: number; total: number };
export type TargetOptions = { invoiceIds?: number[] | null; order: 'oldest' | 'latest' };

/** The locking read of `openTargets`, for a caller sending it with another statement (`sentTogether`). */
export function openTargetsQuery(db: ScopedDb, customerId: number, options: TargetOptions): Knex.QueryBuilder {
  let query = db
    .queryCompany(db.principal.companyId, 'billing_documents')
    .where({ customer_id: customerId, kind: 'invoice', status: 'posted' })
    .where('residual', '>', 0);
  if (options.invoiceIds?.length) query = query.whereIn('id', options.invoiceIds);
  const direction = options.order === 'oldest' ? 'asc' : 'desc';
  return locking(db, query.orderBy('issue_date', direction).orderBy('id', direction)).select('id', 'residual', 'total');
}

/** What `openTargetsQuery` found, in the order asked; picked invoices not found are refused, named. */
export function openTargetsFrom(found: Array<Record<string, unknown>>, options: TargetOptions): Target[] {
  const list = found.map((r) => ({ id: Number(r.id), residual: Number(r.residual), total: Number(r.total) }));
  if (!options.invoiceIds?.length) return list;
  const byId = new Map(list.map((r) => [r.id, r]));
  const missing = options.invoiceIds.filter((id) => !byId.has(Number(id)));
  if (missing.length) throw new ValidationError({ invoice_ids: `not open invoices of this customer: ${missing.join(', ')}` });
  return options.invoiceIds.map((id) => byId.get(Number(id))!);
}

/**
 * Applies up to `amount` from a source to the targets in order and records the allocation rows: see
 * `takeResiduals`. Returns what went where.
 */
export async function applyToInvoices(
  db: ScopedDb,
  customerId: number,
  source: Source,
  amount: number,
  targets: Array<{ id: number; residual: number; total: number }>,
  reference: string | null = null,
): Promise<Allocation[]> {
  const allocations = await takeResiduals(db, customerId, amount, targets);
  await recordAllocations(db, customerId, source, allocations, reference);
  return allocations;
}

/**
 * Takes up to `amount` off the targets' residuals in order, without recording allocation rows (a new
 * payment takes them before its row, and so its id, exists). Each invoice's residual moves by a guarded
 * update (`residual >= take`), so it can never go negative whatever runs beside it; an invoice reaching
 * 0 is paid and `billing.invoice.paid` is published.
 */
export async function takeResiduals(db: ScopedDb, customerId: number, amount: number, targets: Target[]): Promise<Allocation[]> {
  const allocations: Allocation[] = [];
  for (const step of residualSteps(amount, targets)) {
    const changed = await takeStatement(db, step);
    if (Number(changed) !== 1) throw new ConflictError(`Invoice ${step.target.id} changed while it was being paid; try again`);
    allocations.push(tookFrom(step));
    if (step.paidOff) await db.publish(BILLING_EVENTS.invoicePaid, { invoice_id: step.target.id, customer_id: customerId, total: step.target.total });
  }
  return allocations;
}

/**
 * `takeResiduals` for a caller holding the targets' row locks (`openTargets`, in this transaction): the
 * guarded updates cannot miss then, so they travel with the caller's next statement (the payment's
 * insert) instead of a round trip each. `settled`, called once that statement is sent, still checks
 * that each changed its row, and publishes `billing.invoice.paid` for the invoices paid off.
 */
export async function takeLockedResiduals(db: ScopedDb, customerId: number, amount: number, targets: Target[]): Promise<{ allocations: Allocation[]; settled: () => Promise<void> }> {
  const steps = residualSteps(amount, targets);
  const kept: Array<{ result: Promise<unknown> }> = [];
  for (const step of steps) kept.push(await sentWithNext(takeStatement(db, step)));
  const settled = async () => {
    for (const [i, step] of steps.entries()) {
      if (Number(await kept[i].result) !== 1) throw new ConflictError(`Invoice ${step.target.id} changed while it was being paid; try again`);
    }
    for (const step of steps) {
      if (step.paidOff) await db.publish(BILLING_EVENTS.invoicePaid, { invoice_id: step.target.id, customer_id: customerId, total: step.target.total });
    }
  };
  return { allocations: steps.map(tookFrom), settled };
}

interface ResidualStep {
  target: Target;
  take: number;
  paidOff: boolean;
}

/** What each target gives, in order, until `amount` is used up; the targets' residuals are lowered as taken. */
function residualSteps(amount: number, targets: Target[]): ResidualStep[] {
  const steps: ResidualStep[] = [];
  let remaining = amount;
  for (const target of targets) {
    if (remaining <= 0) break;
    const take = Math.min(remaining, target.residual);
    if (take <= 0) continue;
    steps.push({ target, take, paidOff: take === target.residual });
    target.residual -= take;
    remaining -= take;
  }
  return steps;
}

/**
 * One target's guarded update. Paying an invoice off sets its status in the same update: one statement,
 * not two. The guard is exact then (`residual = take`), so an invoice is never marked paid with money
 * still owed.
 */
function takeStatement(db: ScopedDb, { target, take, paidOff }: ResidualStep): Knex.QueryBuilder {
  return rows(db)('billing_documents')
    .where({ id: target.id, company_id: db.principal.companyId })
    .where('residual', paidOff ? '=' : '>=', take)
    .update(paidOff ? { residual: rows(db).raw('residual - ?', [take]), status: 'paid' } : { residual: rows(db).raw('residual - ?', [take]) }) as unknown as Knex.QueryBuilder;
}

function tookFrom(step: ResidualStep): Allocation {
  return { invoice_id: step.target.id, amount: step.take };
}

export async function recordAllocations(db: ScopedDb, customerId: number, source: Source, allocations: Array<{ invoice_id: number | null; amount: number }>, reference: string | null = null): Promise<void> {
  if (!allocations.length) return;
  const now = new Date();
  // Append-only rows whose ids nobody reads: they travel with the transaction's next statement (on
  // MySQL/MariaDB), a round trip saved on every payment; a later read in the transaction still sees them.
  await deferredWrite(rows(db)('billing_allocations').insert(
    allocations.map((a) => ({
      company_id: db.principal.companyId,
      customer_id: customerId,
      source_kind: source.kind,
      source_id: source.id,
      invoice_id: a.invoice_id,
      amount: a.amount,
      reference,
      created_at: now,
    })),
  ));
}

/** The net amount a source applied per invoice (reversal rows included), for undoing it. */
export async function netAllocations(db: ScopedDb, source: Source, latest = false): Promise<Allocation[]> {
  const query = db.queryCompany(db.principal.companyId, 'billing_allocations').where({ source_kind: source.kind, source_id: source.id }).whereNotNull('invoice_id');
  const found: Array<Record<string, unknown>> = await (latest ? locking(db, query) : query).orderBy('id').select('invoice_id', 'amount');
  const net = new Map<number, number>();
  for (const r of found) net.set(Number(r.invoice_id), (net.get(Number(r.invoice_id)) ?? 0) + Number(r.amount));
  return [...net].map(([invoice_id, amount]) => ({ invoice_id, amount })).filter((a) => a.amount !== 0);
}

/** Every allocation row of a source or of an invoice, for the document pages. */
export async function allocationsOf(db: ScopedDb, where: { source?: Source; invoiceId?: number }): Promise<Array<Record<string, unknown>>> {
  let query = db.queryCompany(db.principal.companyId, 'billing_allocations');
  if (where.source) query = query.where({ source_kind: where.source.kind, source_id: where.source.id });
  if (where.invoiceId) query = query.where({ invoice_id: where.invoiceId });
  return query.orderBy('id').select('*');
}
