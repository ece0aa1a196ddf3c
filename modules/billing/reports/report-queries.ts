import type { RequestContext, ScopedDb } from 'tessera/core';
import { CRM, type CustomerGroupService } from '../../crm/api';
import { addDays, calendarDay, companyFacts } from '../shared/caller';

export const BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type Bucket = (typeof BUCKETS)[number];

export interface AgedRow {
  customer_id: number | null;
  buckets: Record<Bucket, number>;
  total: number;
}

/** Customers of a crm group, through crm's service (never its tables). */
async function groupCustomerIds(ctx: RequestContext, groupId: number): Promise<number[]> {
  const ids: number[] = [];
  for await (const batch of ctx.container.get<CustomerGroupService>(CRM.CustomerGroups).streamMembers(ctx, groupId, { batchSize: 1000 })) ids.push(...batch.map((m) => m.id));
  return ids;
}

/**
 * Aged receivables on the company's calendar day: open invoices' residual by how late they are
 * (not yet due, 1-30, 31-60, 61-90, over 90 days). Totals, and the customers owing most.
 */
export async function agedReceivables(ctx: RequestContext, options: { groupId?: number; top?: number } = {}): Promise<{ today: string; totals: AgedRow; customers: AgedRow[] }> {
  const db = ctx.db;
  const today = calendarDay((await companyFacts(db)).timezone);
  const edges = [today, addDays(today, -30), addDays(today, -60), addDays(today, -90)];
  const bucketSql = `case when due_date >= ? then 'current' when due_date >= ? then '1-30' when due_date >= ? then '31-60' when due_date >= ? then '61-90' else '90+' end`;
  const base = () => db.queryCompany(ctx.companyId, 'billing_documents').where({ kind: 'invoice', status: 'posted' }).where('residual', '>', 0);
  let ids: number[] | null = null;
  if (options.groupId) ids = await groupCustomerIds(ctx, options.groupId);
  const scoped = () => (ids ? base().whereIn('customer_id', ids.length ? ids : [0]) : base());
  // One pass over the covering index: residuals per customer and bucket; totals and the top customers come from it.
  const grouped: Array<Record<string, unknown>> = await scoped()
    .select('customer_id', db.unscoped('raw sql fragment').raw(`${bucketSql} as bucket`, edges))
    .sum({ amount: 'residual' })
    .groupBy('customer_id')
    .groupByRaw(bucketSql, edges);
  const totals = emptyRow(null);
  const byCustomer = new Map<number, AgedRow>();
  for (const r of grouped) {
    const id = Number(r.customer_id);
    let row = byCustomer.get(id);
    if (!row) byCustomer.set(id, (row = emptyRow(id)));
    add(row, r.bucket as Bucket, Number(r.amount));
    add(totals, r.bucket as Bucket, Number(r.amount));
  }
  const customers = [...byCustomer.values()].sort((a, b) => b.total - a.total || Number(a.customer_id) - Number(b.customer_id)).slice(0, options.top ?? 20);
  return { today, totals, customers };
}

function emptyRow(customerId: number | null): AgedRow {
  return { customer_id: customerId, buckets: { current: 0, '1-30': 0, '31-60': 0, '61-90': 0, '90+': 0 }, total: 0 };
}
function add(row: AgedRow, bucket: Bucket, amount: number): void {
  row.buckets[bucket] += amount;
  row.total += amount;
}

/** Paid money per calendar day and journal between two days. */
export async function paymentsPerDay(db: ScopedDb, from: string, to: string): Promise<Array<{ day: string; journal_id: number; journal_code: string; amount: number; count: number }>> {
  const rows: Array<Record<string, unknown>> = await db
    .queryCompany(db.principal.companyId, 'billing_payments', 'p')
    .join('billing_journals as j', 'j.id', 'p.journal_id')
    .where('p.status', 'paid')
    .whereBetween('p.paid_date', [from, to])
    .groupBy('p.paid_date', 'p.journal_id', 'j.code')
    .orderBy('p.paid_date')
    .select('p.paid_date as day', 'p.journal_id', 'j.code as journal_code')
    .sum({ amount: 'p.amount' })
    .count({ count: '*' });
  return rows.map((r) => ({ day: String(r.day), journal_id: Number(r.journal_id), journal_code: String(r.journal_code), amount: Number(r.amount), count: Number(r.count) }));
}

export interface PeriodRow {
  period: string;
  sales: number;
  taxes: number;
  credit_notes: number;
  payments: number;
}

/** Sales (net), taxes, credit notes and payments per month of a year, and the year's totals. */
export async function periodSummary(db: ScopedDb, year: number): Promise<{ months: PeriodRow[]; year: PeriodRow }> {
  const companyId = db.principal.companyId;
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const month = (column: string) => db.unscoped('raw sql fragment').raw(`substr(${column}, 1, 7) as period`);
  const docs: Array<Record<string, unknown>> = await db.queryCompany(companyId, 'billing_documents').whereIn('kind', ['invoice', 'credit_note']).whereIn('status', ['posted', 'paid'])
    .whereBetween('issue_date', [from, to]).select('kind', month('issue_date')).sum({ subtotal: 'subtotal', tax: 'tax', total: 'total' }).groupBy('kind').groupByRaw('substr(issue_date, 1, 7)');
  const pays: Array<Record<string, unknown>> = await db.queryCompany(companyId, 'billing_payments').where('status', 'paid').whereBetween('paid_date', [from, to])
    .select(month('paid_date')).sum({ amount: 'amount' }).groupByRaw('substr(paid_date, 1, 7)');
  const months = new Map<string, PeriodRow>();
  for (let m = 1; m <= 12; m++) {
    const period = `${year}-${String(m).padStart(2, '0')}`;
    months.set(period, { period, sales: 0, taxes: 0, credit_notes: 0, payments: 0 });
  }
  for (const d of docs) {
    const row = months.get(String(d.period));
    if (!row) continue;
    if (d.kind === 'invoice') {
      row.sales += Number(d.subtotal);
      row.taxes += Number(d.tax);
    } else row.credit_notes += Number(d.total);
  }
  for (const p of pays) {
    const row = months.get(String(p.period));
    if (row) row.payments += Number(p.amount);
  }
  const list = [...months.values()];
  const total = list.reduce((t, r) => ({ period: String(year), sales: t.sales + r.sales, taxes: t.taxes + r.taxes, credit_notes: t.credit_notes + r.credit_notes, payments: t.payments + r.payments }), { period: String(year), sales: 0, taxes: 0, credit_notes: 0, payments: 0 });
  return { months: list, year: total };
}
