import type { ScopedDb } from 'tessera/core';
import { BALANCES, LEDGER } from './balance-store';

export interface OutstandingReport {
  /** What the company owes its customers: the sum of positive balances. */
  liability: number;
  /** What customers below zero owe (credit limits used), as a positive number. */
  overdrawn: number;
  customers: number;
  top: Array<{ customer_id: number; balance: number; credit_limit: number }>;
}

/** Balances outstanding: two aggregates on the balance rows (indexed by company and balance) and the largest ones. */
export async function balancesOutstanding(db: ScopedDb, companyId: number, top = 20): Promise<OutstandingReport> {
  const base = () => db.queryCompany(companyId, BALANCES);
  const positive = (await base().where('balance', '>', 0).count({ n: '*' }).sum({ s: 'balance' }).first()) as { n?: unknown; s?: unknown } | undefined;
  const negative = (await base().where('balance', '<', 0).count({ n: '*' }).sum({ s: 'balance' }).first()) as { n?: unknown; s?: unknown } | undefined;
  const rows = (await base().where('balance', '>', 0).orderBy('balance', 'desc').limit(top).select('customer_id', 'balance', 'credit_limit')) as Array<Record<string, unknown>>;
  return {
    liability: Number(positive?.s ?? 0),
    overdrawn: -Number(negative?.s ?? 0),
    customers: Number(positive?.n ?? 0) + Number(negative?.n ?? 0),
    top: rows.map((r) => ({ customer_id: Number(r.customer_id), balance: Number(r.balance), credit_limit: Number(r.credit_limit) })),
  };
}

export interface CashbackMonth {
  month: string;
  credited: number;
  taken_back: number;
  net: number;
}

/** Cashback credited and taken back per month (UTC months of the ledger rows), oldest first, the latest `months`. */
export async function cashbackPerMonth(db: ScopedDb, companyId: number, months = 24): Promise<CashbackMonth[]> {
  const knex = db.unscoped('a dialect expression only');
  const month = db.client === 'better-sqlite3' ? knex.raw("strftime('%Y-%m', created_at / 1000, 'unixepoch')") : knex.raw("DATE_FORMAT(created_at, '%Y-%m')");
  const rows = (await db.queryCompany(companyId, LEDGER).whereIn('kind', ['cashback', 'cashback_reversed']).select({ month }, 'kind').sum({ s: 'amount' }).groupBy('month', 'kind')) as Array<{ month: string; kind: string; s: unknown }>;
  const byMonth = new Map<string, CashbackMonth>();
  for (const r of rows) {
    const m = byMonth.get(r.month) ?? { month: r.month, credited: 0, taken_back: 0, net: 0 };
    if (r.kind === 'cashback') m.credited += Number(r.s);
    else m.taken_back -= Number(r.s);
    m.net = m.credited - m.taken_back;
    byMonth.set(r.month, m);
  }
  return [...byMonth.values()].sort((a, b) => a.month.localeCompare(b.month)).slice(-months);
}
