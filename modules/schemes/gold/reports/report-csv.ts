import type { Response } from 'express';
import { csvSafe, HANDLED } from 'tessera/core';

/** The columns each report exports, in order (amounts in minor units, grams in milligrams). */
export const REPORT_COLUMNS = {
  missed: ['plan_id', 'month', 'customer_id', 'customer', 'scheme_id', 'tier', 'instalment', 'status', 'maturity_date', 'flagged_at'],
  'due-week': ['plan_id', 'customer_id', 'customer', 'scheme_id', 'scheme', 'tier', 'month', 'window_first', 'window_last', 'amount'],
  collections: ['day', 'scheme_id', 'scheme', 'count', 'amount', 'grams_milli'],
  maturing: ['plan_id', 'customer_id', 'customer', 'scheme_id', 'scheme', 'tier', 'status', 'paid_count', 'instalments', 'paid_total', 'grams_milli', 'maturity_date'],
  liabilities: ['scheme_id', 'scheme', 'open_plans', 'paid_in', 'released', 'held', 'grams_milli_held'],
} as const;

export type ReportName = keyof typeof REPORT_COLUMNS;

/** A CSV cell: formula-looking text neutralised (core's csvSafe), quoted when it holds a comma, quote or newline. */
export function csvCell(v: unknown): string {
  const text = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
  const s = csvSafe(text);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportCsv(name: ReportName, rows: Array<Record<string, unknown>>): string {
  const columns = REPORT_COLUMNS[name];
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n') + '\n';
}

/** Sends a report as a CSV download named after the report and its period. */
export function sendReportCsv(res: Response, name: ReportName, period: string, rows: Array<Record<string, unknown>>): typeof HANDLED {
  res.status(200).setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="gold-${name}-${period.replace(/[^0-9A-Za-z_-]/g, '')}.csv"`);
  res.send(reportCsv(name, rows));
  return HANDLED;
}
