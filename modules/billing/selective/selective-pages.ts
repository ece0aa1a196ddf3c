import { formIdList, formProblem, HANDLED, requireId, text, type PageRoute } from 'tessera/core';
import { BILLING_PERMISSIONS as P } from '../api';
import type { SelectiveBilling, SelectiveCriteria } from './selective-service';

interface SelectiveSettings {
  selective_show_order_button?: boolean;
  selective_show_invoice_button?: boolean;
  selective_preselect?: 'none' | 'orders' | 'all';
}

/** The selective billing table (crm's criteria), the run form, and the run's progress page. */
export function selectivePageRoutes(selective: SelectiveBilling): PageRoute[] {
  const criteriaOf = (q: Record<string, unknown>): SelectiveCriteria => ({ classification: text(q, 'classification') || undefined, delivery_route: text(q, 'delivery_route') || undefined });
  return [
    {
      method: 'GET', path: '/billing/selective', permission: P.selectiveRun,
      handler: async (ctx, { query }) => {
        const criteria = criteriaOf(query);
        const settings = await ctx.db.settings<SelectiveSettings>('billing');
        const picked = criteria.classification || criteria.delivery_route;
        const rows = picked ? await selective.preview(ctx, criteria) : [];
        const preselect = settings.selective_preselect ?? 'orders';
        return {
          view: 'billing/selective',
          title: 'Selective billing',
          data: {
            criteria, picked,
            showOrders: settings.selective_show_order_button !== false,
            showInvoices: settings.selective_show_invoice_button !== false,
            rows: rows.map((r) => ({ ...r, checked: preselect === 'all' || (preselect === 'orders' && r.open_orders.length > 0), ordersChecked: preselect !== 'none' })),
          },
        };
      },
    },
    {
      method: 'POST', path: '/billing/selective', permission: P.selectiveRun,
      handler: async (ctx, { body }) => {
        try {
          const template = Number(text(body, 'template_quote_id')) || undefined;
          const run = await selective.start(ctx, { criteria: criteriaOf(body), customer_ids: formIdList(body, 'customer_ids'), order_ids: formIdList(body, 'order_ids'), template_quote_id: template });
          return { redirect: `/billing/selective/runs/${run.id}`, flash: { type: 'success', message: 'Billing run started.' } };
        } catch (error) {
          const problem = formProblem(error);
          if (!problem) throw error;
          return { redirect: '/billing/selective', flash: { type: 'error', message: `${problem.message} ${Object.values(problem.errors).join('; ')}` } };
        }
      },
    },
    {
      method: 'GET', path: '/billing/selective/runs/:id', permission: P.selectiveRun,
      handler: async (ctx, { params }) => {
        const run = await selective.get(ctx, requireId(params.id));
        return { view: 'billing/selective-run', title: `Billing run #${run.id}`, data: { run, progressUrl: `/billing/selective/runs/${run.id}/progress`, status: run.status === 'done' ? 'completed' : run.status === 'running' ? 'active' : 'waiting' } };
      },
    },
    {
      method: 'GET', path: '/billing/selective/runs/:id/progress', permission: P.selectiveRun,
      handler: async (ctx, { params }, _req, res) => {
        const run = await selective.get(ctx, requireId(params.id));
        res.json({ status: run.status === 'done' ? 'completed' : run.status === 'running' ? 'active' : 'waiting', progress: run.percent, detail: { customers: `${run.done}/${run.total}`, invoices: run.invoices } });
        return HANDLED;
      },
    },
  ];
}
