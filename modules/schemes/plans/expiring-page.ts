import { toDate, type ModuleContext, type RequestContext } from 'tessera/core';
import { SCHEMES_PERMISSIONS } from '../api';
import type { Ports } from '../billing/billing-ports';
import { customerNames, shopNames } from '../crm/party-names';
import { PLANS, type PlanService } from './plan-service';

export interface ExpiringQuery {
  days?: number;
  /** Switched off now instead: active plans whose expiry has passed. */
  off?: boolean;
  shop_id?: number;
  limit?: number;
}

/**
 * What agents call from every morning: active plans whose device switches off within N days (soonest
 * first), or is off now. One indexed range over (company, status, expiry).
 */
export async function expiringPlans(ctx: RequestContext, plans: PlanService, q: ExpiringQuery) {
  const settings = await ctx.db.settings<{ expiring_days?: number }>('schemes');
  const days = Math.min(Math.max(Math.trunc(q.days ?? settings.expiring_days ?? 3), 1), 60);
  const now = new Date();
  let query = ctx.db.queryCompany(ctx.companyId, PLANS).where('status', 'active');
  query = q.off ? query.where('expiry', '<=', now).orderBy('expiry', 'desc') : query.where('expiry', '>', now).where('expiry', '<=', new Date(now.getTime() + days * 86_400_000)).orderBy('expiry', 'asc');
  if (q.shop_id) query = query.where('shop_id', q.shop_id);
  const rows = (await query.orderBy('id').limit(Math.min(q.limit ?? 200, 500))) as Array<Record<string, unknown>>;
  return {
    days,
    data: rows.map((r) => {
      const row = plans.toRow(r);
      const expiry = toDate(r.expiry) as Date;
      return { ...row, hours_left: Math.round((expiry.getTime() - now.getTime()) / 3_600_000) };
    }),
  };
}

export function registerExpiringPage(m: ModuleContext, plans: PlanService, ports: Ports): void {
  const parse = (query: Record<string, unknown>): ExpiringQuery => ({
    days: Number(query.days) || undefined,
    off: query.off === '1' || query.off === 'true',
    shop_id: Number(query.shop_id) || undefined,
  });
  m.routes.page({
    method: 'GET',
    path: '/schemes/expiring',
    permission: SCHEMES_PERMISSIONS.planRead,
    handler: async (ctx, { query }) => {
      const q = parse(query);
      const result = await expiringPlans(ctx, plans, q);
      // Agents call from this list: the customers are named (with their phone) and the shops too, through crm and base.
      const [names, shops] = await Promise.all([customerNames(ports, ctx, result.data.map((r) => Number(r.customer_id))), shopNames(ports, ctx)]);
      const data = result.data.map((r) => ({ ...r, customer: names.get(Number(r.customer_id)) ?? { id: r.customer_id, name: `#${r.customer_id}`, phone: null }, shop: r.shop_id ? (shops.get(Number(r.shop_id)) ?? `#${r.shop_id}`) : '' }));
      const shopChoices = [...shops].map(([id, name]) => ({ id, name, selected: id === q.shop_id }));
      return { view: 'schemes/expiring', title: q.off ? 'Switched off now' : 'Expiring soon', data: { ...result, data, shopChoices, off: q.off, shop_id: q.shop_id ?? '' } };
    },
  });
  m.routes.api({
    method: 'GET',
    path: '/pay-plans/expiring',
    permission: SCHEMES_PERMISSIONS.planRead,
    summary: 'Active plans switching off within `days` (soonest first), or switched off now (`off=true`): the list agents call from every morning.',
    query: {
      type: 'object',
      additionalProperties: false,
      properties: { days: { type: 'integer', minimum: 1, maximum: 60 }, off: { type: 'boolean' }, shop_id: { type: 'integer', minimum: 1 }, limit: { type: 'integer', minimum: 1, maximum: 500 } },
    },
    handler: async (ctx, { query }) => expiringPlans(ctx, plans, query),
  });
}
