import type { RequestContext } from 'tessera/core';
import { ACCOUNTS, LEDGER } from './points-ledger';
import { pointsValue } from './points-rules';
import { readSettings } from './points-settings';
import { monthsBefore } from './points-expiry';

export interface LiabilityReport {
  /** Points outstanding: the sum of positive balances. */
  points: number;
  customers: number;
  /** Minor units: `points × v`, or `points × V / P` rounded half-up once. */
  value: number;
  mode: 'tranche' | 'direct';
  months: Array<{ month: string; earned: number; spent: number; reversed: number; adjusted: number; expired: number }>;
}

/** `YYYY-MM` of a timestamp column: MariaDB formats it, SQLite stores milliseconds since the epoch. */
function monthOf(ctx: RequestContext, column: string): string {
  return ctx.db.client === 'better-sqlite3' ? `strftime('%Y-%m', ${column} / 1000, 'unixepoch')` : `DATE_FORMAT(${column}, '%Y-%m')`;
}

/**
 * The points liability: one aggregate over the company's accounts (index company_id, balance), and
 * the ledger's movements per month and kind over the last 12 months for the chart.
 */
export async function liabilityReport(ctx: RequestContext, now = new Date()): Promise<LiabilityReport> {
  const settings = await readSettings(ctx.db);
  const raw = ctx.db.unscoped('aggregate expressions');
  const since = monthsBefore(now, 11);
  since.setUTCDate(1);
  since.setUTCHours(0, 0, 0, 0);
  const month = monthOf(ctx, 'created_at');
  // Two independent aggregates: on MariaDB they run side by side on two pooled connections.
  const [total, rows] = (await Promise.all([
    ctx.db.queryCompany(ctx.companyId, ACCOUNTS).where('balance', '>', 0).select(raw.raw('coalesce(sum(balance), 0) as points'), raw.raw('count(*) as customers')).first(),
    ctx.db.queryCompany(ctx.companyId, LEDGER).where('created_at', '>=', since).select(raw.raw(`${month} as month`), 'kind', raw.raw('sum(points) as points')).groupByRaw(month).groupBy('kind'),
  ])) as [Record<string, unknown>, Array<Record<string, unknown>>];
  const points = Number(total.points);
  const months = new Map<string, LiabilityReport['months'][number]>();
  for (let i = 11; i >= 0; i--) {
    const key = monthsBefore(now, i).toISOString().slice(0, 7);
    months.set(key, { month: key, earned: 0, spent: 0, reversed: 0, adjusted: 0, expired: 0 });
  }
  for (const r of rows) {
    const row = months.get(String(r.month));
    const kind = String(r.kind) as 'earned' | 'spent' | 'reversed' | 'adjusted' | 'expired';
    if (row && kind in row) row[kind] += Number(r.points);
  }
  return { points, customers: Number(total.customers), value: Number(pointsValue(settings, points)), mode: settings.mode, months: [...months.values()] };
}
