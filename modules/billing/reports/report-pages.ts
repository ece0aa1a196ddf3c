import { text, type ApiRoute, type PageRoute, type RequestContext } from 'tessera/core';
import { CRM, type CustomerGroupService } from '../../crm/api';
import { BILLING_PERMISSIONS as P } from '../api';
import { addDays, calendarDay, companyFacts } from '../shared/caller';
import { agedReceivables, BUCKETS, paymentsPerDay, periodSummary } from './report-queries';
import { csvLine, sendCsv } from './csv-export';
import { customerName } from '../crm/customer-name';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

async function ranges(ctx: RequestContext, query: Record<string, unknown>) {
  const today = calendarDay((await companyFacts(ctx.db)).timezone);
  const from = DAY.test(text(query, 'from')) ? text(query, 'from') : addDays(today, -30);
  const to = DAY.test(text(query, 'to')) ? text(query, 'to') : today;
  const year = /^\d{4}$/.test(text(query, 'year')) ? Number(text(query, 'year')) : Number(today.slice(0, 4));
  const groupId = /^\d+$/.test(text(query, 'group_id')) ? Number(text(query, 'group_id')) : undefined;
  return { today, from, to, year, groupId };
}

/** One chart.js spec per report, drawn by billing-charts.js. */
function charts(aged: Awaited<ReturnType<typeof agedReceivables>>, perDay: Awaited<ReturnType<typeof paymentsPerDay>>) {
  const days = [...new Set(perDay.map((r) => r.day))];
  const journals = [...new Set(perDay.map((r) => r.journal_code))];
  return {
    aged: { type: 'bar', data: { labels: [...BUCKETS], datasets: [{ label: 'Receivables', data: BUCKETS.map((b) => aged.totals.buckets[b] / 100) }] } },
    payments: { type: 'bar', options: { scales: { x: { stacked: true }, y: { stacked: true } } }, data: { labels: days, datasets: journals.map((j) => ({ label: j, data: days.map((d) => (perDay.find((r) => r.day === d && r.journal_code === j)?.amount ?? 0) / 100) })) } },
  };
}

export function reportPageRoutes(): PageRoute[] {
  return [
    {
      method: 'GET', path: '/billing/reports', permission: P.reportRead,
      handler: async (ctx, { query }) => {
        const r = await ranges(ctx, query);
        const [aged, perDay, period] = await Promise.all([agedReceivables(ctx, { groupId: r.groupId }), paymentsPerDay(ctx.db, r.from, r.to), periodSummary(ctx.db, r.year)]);
        // The page lists the largest debtors only: naming each through crm's service stays cheap.
        const names = await Promise.all(aged.customers.map((c) => (c.customer_id === null ? 'All' : customerName(ctx, c.customer_id))));
        const agedRows = { ...aged, customers: aged.customers.map((c, i) => ({ ...c, name: names[i] })) };
        const groups = ctx.can('crm.group.read') ? await ctx.container.get<CustomerGroupService>(CRM.CustomerGroups).list(ctx) : [];
        return {
          view: 'billing/reports',
          title: 'Billing reports',
          data: { ...r, aged: agedRows, perDay, period, buckets: BUCKETS, currency: (await companyFacts(ctx.db)).currency, chart: charts(aged, perDay), groups: groups.map((g) => ({ id: g.id, name: g.name, selected: g.id === r.groupId })) },
        };
      },
    },
  ];
}

/** The reports as JSON, or CSV with `format=csv`. */
export function reportApiRoutes(): ApiRoute[] {
  const q = { type: 'object', additionalProperties: false, properties: { from: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, to: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' }, year: { type: 'string', pattern: '^\\d{4}$' }, group_id: { type: 'string', pattern: '^\\d{1,10}$' }, format: { type: 'string', enum: ['json', 'csv'], default: 'json' } } };
  return [
    { method: 'GET', path: '/reports/aged-receivables', permission: P.reportRead, summary: 'Aged receivables (current, 1-30, 31-60, 61-90, 90+) for the company or a crm customer group', query: q,
      handler: async (ctx, { query }, _req, res) => {
        const r = await ranges(ctx, query);
        const aged = await agedReceivables(ctx, { groupId: r.groupId, top: query.format === 'csv' ? 100_000 : 20 });
        if (query.format !== 'csv') return aged;
        return sendCsv(res, 'aged-receivables.csv', (async function* () {
          yield csvLine(['customer_id', ...BUCKETS, 'total']);
          yield csvLine(['all', ...BUCKETS.map((b) => aged.totals.buckets[b]), aged.totals.total]);
          for (const c of aged.customers) yield csvLine([c.customer_id, ...BUCKETS.map((b) => c.buckets[b]), c.total]);
        })());
      } },
    { method: 'GET', path: '/reports/payments-per-day', permission: P.reportRead, summary: 'Paid money per day and journal', query: q,
      handler: async (ctx, { query }, _req, res) => {
        const r = await ranges(ctx, query);
        const rows = await paymentsPerDay(ctx.db, r.from, r.to);
        if (query.format !== 'csv') return { from: r.from, to: r.to, data: rows };
        return sendCsv(res, 'payments-per-day.csv', (async function* () {
          yield csvLine(['day', 'journal', 'count', 'amount']);
          for (const x of rows) yield csvLine([x.day, x.journal_code, x.count, x.amount]);
        })());
      } },
    { method: 'GET', path: '/reports/period-summary', permission: P.reportRead, summary: 'Sales, taxes, credit notes and payments per month and for the year', query: q,
      handler: async (ctx, { query }, _req, res) => {
        const r = await ranges(ctx, query);
        const summary = await periodSummary(ctx.db, r.year);
        if (query.format !== 'csv') return summary;
        return sendCsv(res, `period-summary-${r.year}.csv`, (async function* () {
          yield csvLine(['period', 'sales', 'taxes', 'credit_notes', 'payments']);
          for (const m of [...summary.months, summary.year]) yield csvLine([m.period, m.sales, m.taxes, m.credit_notes, m.payments]);
        })());
      } },
  ];
}
