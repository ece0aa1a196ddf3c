import { idParams, type ApiRoute } from 'tessera/core';
import { BILLING_PERMISSIONS as P } from '../api';
import { body } from '../shared/api-schemas';
import type { SelectiveBilling } from './selective-service';

const id = { type: 'integer', minimum: 1, maximum: 4_294_967_295 };
const criteria = { type: 'object', additionalProperties: false, properties: { classification: { type: 'string', maxLength: 100 }, delivery_route: { type: 'string', maxLength: 100 } } };

/** Selective billing over JSON: who matches, start a run (a job), follow its progress. */
export function selectiveApiRoutes(selective: SelectiveBilling): ApiRoute[] {
  return [
    { method: 'GET', path: '/selective-runs/preview', permission: P.selectiveRun, summary: 'Customers matching crm criteria, invoiced or not, with their open orders and invoices', query: criteria,
      handler: async (ctx, { query }) => ({ data: await selective.preview(ctx, query) }) },
    { method: 'POST', path: '/selective-runs', permission: P.selectiveRun, status: 202, idempotent: true,
      summary: 'Bill the selected customers in one run (a job): their open orders, or a template quote as pro-forma',
      body: body(['customer_ids'], { criteria, customer_ids: { type: 'array', minItems: 1, maxItems: 100000, items: id }, order_ids: { type: 'array', maxItems: 100000, items: id }, template_quote_id: id }),
      handler: async (ctx, { body: b }) => selective.start(ctx, { criteria: b.criteria ?? {}, customer_ids: b.customer_ids, order_ids: b.order_ids, template_quote_id: b.template_quote_id }) },
    { method: 'GET', path: '/selective-runs/{id}', permission: P.selectiveRun, summary: 'A run with its progress', params: idParams,
      handler: async (ctx, { params }) => selective.get(ctx, params.id) },
  ];
}
