import type { ModuleContext, RequestContext } from 'tessera/core';
import { SCHEMES_PERMISSIONS as P } from '../../api';
import { customerNames } from '../../crm/party-names';
import type { GoldPlanServiceImpl } from '../gold-plan-service';
import type { GoldPorts } from '../gold-ports';
import { collections, dueThisWeek, liabilities, maturing } from './gold-reports';
import { REPORT_COLUMNS, sendReportCsv, type ReportName } from './report-csv';

const MONTH = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' };
const DAY = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };
const FORMAT = { type: 'string', enum: ['json', 'csv'] };
const list = (row: Record<string, unknown>) => ({ type: 'object', properties: { count: { type: 'integer' }, total: { type: 'integer' }, data: { type: 'array', items: { type: 'object', properties: row } } } });
const int = { type: 'integer' };
const str = { type: 'string' };

/** Each report: how it is read, its period label, its rows; one definition feeds the API, the CSV and the page. */
interface Report {
  name: ReportName;
  title: string;
  summary: string;
  query: Record<string, unknown>;
  response: Record<string, unknown>;
  run(ctx: RequestContext, q: Record<string, any>): Promise<{ data: Array<Record<string, any>> } & Record<string, any>>;
  period(r: Record<string, any>): string;
  named?: boolean;
}

export function goldReports(ports: GoldPorts, gold: GoldPlanServiceImpl): Report[] {
  return [
    {
      name: 'missed', title: 'Missed payments', named: true, query: { month: MONTH }, period: (r) => r.month,
      summary: "Gold plan months flagged missed in a month (the company's current month by default). `format=csv` for a download.",
      response: list({ plan_id: int, month: str, customer_id: int, scheme_id: int, tier: str, instalment: int, status: str, maturity_date: str }),
      run: (ctx, q) => gold.missedReport(ctx, q.month),
    },
    {
      name: 'due-week', title: 'Due this week', named: true, query: {}, period: (r) => `${r.from}_${r.to}`,
      summary: "Instalments due this week (the company's Monday to Sunday): open plans whose month's payment window overlaps the week, not paid, in payment nor flagged missed.",
      response: list({ plan_id: int, customer_id: int, scheme_id: int, scheme: str, tier: str, month: str, window_first: str, window_last: str, amount: int }),
      run: (ctx) => dueThisWeek(ports, ctx),
    },
    {
      name: 'collections', title: 'Collections per day', query: { from: DAY, to: DAY }, period: (r) => `${r.from}_${r.to}`,
      summary: "Paid instalments per company day and scheme, from..to (both included; default the company's current month to today; at most 13 months).",
      response: list({ day: str, scheme_id: int, scheme: str, count: int, amount: int, grams_milli: int }),
      run: (ctx, q) => collections(ports, ctx, q),
    },
    {
      name: 'maturing', title: 'Maturing next month', named: true, query: { month: MONTH }, period: (r) => r.month,
      summary: "Open plans whose maturity date falls in a month (the company's next month by default).",
      response: list({ plan_id: int, customer_id: int, scheme_id: int, scheme: str, tier: str, status: str, paid_count: int, instalments: int, paid_total: int, grams_milli: int, maturity_date: str }),
      run: (ctx, q) => maturing(ports, ctx, q.month),
    },
    {
      name: 'liabilities', title: 'Liabilities', query: {}, period: (r) => r.as_of,
      summary: 'Money held per scheme, the figure regulators ask: paid instalments in, minus what closed and redeemed plans handed to billing as credit; open plans and grams held.',
      response: { type: 'object', properties: { as_of: str, total_held: int, data: { type: 'array', items: { type: 'object', properties: { scheme_id: int, scheme: str, open_plans: int, paid_in: int, released: int, held: int, grams_milli_held: int } } } } },
      run: (ctx) => liabilities(ports, ctx),
    },
  ];
}

/** Customers named (crm's search by ids) on the pages and in the CSV; the JSON keeps ids. */
async function withNames(ports: GoldPorts, ctx: RequestContext, rows: Array<Record<string, any>>) {
  const names = await customerNames(ports, ctx, rows.map((r) => Number(r.customer_id)));
  return rows.map((r) => ({ ...r, customer: names.get(Number(r.customer_id))?.name ?? `#${r.customer_id}` }));
}

/** The reports' JSON API (`/api/v1/schemes/reports/...`, CSV with `format=csv`) and pages (`/schemes/gold/reports`). */
export function registerGoldReports(m: ModuleContext, ports: GoldPorts, gold: GoldPlanServiceImpl): void {
  const reports = goldReports(ports, gold);
  for (const report of reports) {
    m.routes.api({
      method: 'GET', path: `/reports/${report.name}`, permission: P.reportRead, summary: report.summary, response: report.response,
      query: { type: 'object', additionalProperties: false, properties: { ...report.query, format: FORMAT } },
      handler: async (ctx, { query }, req, res) => {
        const result = await report.run(ctx, query);
        if (query.format === 'csv' || (!query.format && (req.get('Accept') ?? '').includes('text/csv'))) {
          const rows = report.named ? await withNames(ports, ctx, result.data) : result.data;
          return sendReportCsv(res, report.name, report.period(result), rows);
        }
        return result;
      },
    });
  }
  m.routes.page({
    method: 'GET', path: '/schemes/gold/reports', permission: P.reportRead,
    handler: async () => ({ view: 'schemes/gold-reports', title: 'Gold scheme reports', data: { reports: reports.map((r) => ({ name: r.name, title: r.title, summary: r.summary.split('. ')[0] })) } }),
  });
  for (const report of reports) {
    m.routes.page({
      method: 'GET', path: `/schemes/gold/reports/${report.name}`, permission: P.reportRead,
      handler: async (ctx, { query }) => {
        const q: Record<string, string> = {};
        for (const key of Object.keys(report.query)) if (typeof query[key] === 'string' && query[key]) q[key] = query[key] as string;
        const result = await report.run(ctx, q);
        const rows: Array<Record<string, any>> = report.named ? await withNames(ports, ctx, result.data) : result.data;
        const columns = REPORT_COLUMNS[report.name].filter((c) => !c.endsWith('_id') || c === 'plan_id');
        const money = new Set(['instalment', 'amount', 'paid_total', 'paid_in', 'released', 'held', 'total']);
        const csv = new URLSearchParams({ ...q, format: 'csv' }).toString();
        return {
          view: 'schemes/gold-report',
          title: report.title,
          data: {
            ...result, name: report.name, title: report.title, csv, filters: Object.keys(report.query).map((key) => ({ key, value: q[key] ?? result[key] ?? '', type: key === 'month' ? 'month' : 'date' })),
            columns, rows: rows.map((r) => ({ plan_id: r.plan_id, cells: columns.map((c) => ({ value: r[c], money: money.has(c), plan: c === 'plan_id' })) })),
            chart: report.name === 'collections' ? JSON.stringify(result.data.map((r) => ({ day: r.day, scheme: r.scheme, amount: r.amount }))) : null,
          },
        };
      },
    });
  }
}
