import { ValidationError, type ApiRoute, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../../crm/api';
import { LOYALTY_PERMISSIONS as P } from '../../api';
import { managerShops } from '../shop-scope';

export interface HolderFilters {
  template_id?: number;
  status?: string;
  last_visit_from?: string;
  last_visit_to?: string;
  visits_min?: number;
  visits_max?: number;
  spend_min?: number;
  spend_max?: number;
  birth_month?: number;
}

export interface Holder {
  card_id: number;
  number: string;
  template_id: number;
  customer_id: number;
  status: string;
  visits: number;
  spend_total: number;
  last_visit_day: string | null;
}

const MAX_BIRTHDAY_CUSTOMERS = 50_000;

/**
 * Card holders by their card (template, status, last visit, visits, spend: the cards' own columns)
 * and by their customer's birthday month, which crm's search answers; the cards list's filters cover
 * all but the birthday, which lives in crm.
 */
export async function findHolders(ctx: RequestContext, f: HolderFilters, options: { after?: number; limit?: number } = {}): Promise<Holder[]> {
  // A manager reaches their shops' cards (all of them at once); a user of no shop, none.
  const shops = await managerShops(ctx);
  if (shops && !shops.length) return [];
  let customerIds: number[] | null = null;
  if (f.birth_month !== undefined) {
    customerIds = [];
    const customers = ctx.container.get<CustomerService>(CRM.Customers);
    let after: string | null = null;
    do {
      const page = await customers.search(ctx, { birth_month: f.birth_month }, { after, limit: 500 });
      customerIds.push(...page.data.map((c) => c.id));
      after = page.next_cursor;
    } while (after && customerIds.length < MAX_BIRTHDAY_CUSTOMERS);
    if (!customerIds.length) return [];
  }
  const q = ctx.db.queryCompany(ctx.companyId, 'loyalty_cards').where('id', '>', options.after ?? 0).orderBy('id').limit(Math.min(options.limit ?? 200, 1000));
  if (f.template_id !== undefined) q.where('template_id', f.template_id);
  if (f.status !== undefined) q.where('status', f.status);
  if (f.last_visit_from !== undefined) q.where('last_visit_day', '>=', f.last_visit_from);
  if (f.last_visit_to !== undefined) q.where('last_visit_day', '<=', f.last_visit_to);
  if (f.visits_min !== undefined) q.where('visits', '>=', f.visits_min);
  if (f.visits_max !== undefined) q.where('visits', '<=', f.visits_max);
  if (f.spend_min !== undefined) q.where('spend_total', '>=', f.spend_min);
  if (f.spend_max !== undefined) q.where('spend_total', '<=', f.spend_max);
  if (customerIds) q.whereIn('customer_id', customerIds);
  if (shops) q.whereIn('shop_id', shops);
  const rows = await q.select('id', 'number', 'template_id', 'customer_id', 'status', 'visits', 'spend_total', 'last_visit_day');
  return rows.map((r: Record<string, unknown>) => ({
    card_id: Number(r.id), number: String(r.number), template_id: Number(r.template_id), customer_id: Number(r.customer_id), status: String(r.status),
    visits: Number(r.visits), spend_total: Number(r.spend_total), last_visit_day: r.last_visit_day == null ? null : String(r.last_visit_day),
  }));
}

const int = (min: number, max = 2 ** 53 - 1) => ({ type: 'integer', minimum: min, maximum: max });
const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };

export function holderFilterApi(): ApiRoute[] {
  return [{
    method: 'GET', path: '/card-holders', permission: P.cardRead, tags: ['Cards'],
    summary: "Cards filtered by template, status, last visit, visits, spend and the customer's birthday month (crm's search), by card id",
    query: { type: 'object', additionalProperties: false, properties: {
      template_id: int(1), status: { type: 'string', enum: ['active', 'used', 'blocked', 'expired'] }, last_visit_from: day, last_visit_to: day,
      visits_min: int(0), visits_max: int(0), spend_min: int(0), spend_max: int(0), birth_month: int(1, 12), after: int(0), limit: int(1, 1000),
    } },
    handler: async (ctx, { query }) => {
      const { after, limit, ...filters } = query as HolderFilters & { after?: number; limit?: number };
      if (filters.visits_min !== undefined && filters.visits_max !== undefined && filters.visits_min > filters.visits_max) throw new ValidationError({ visits_max: 'is at least visits_min' });
      if (filters.spend_min !== undefined && filters.spend_max !== undefined && filters.spend_min > filters.spend_max) throw new ValidationError({ spend_max: 'is at least spend_min' });
      const data = await findHolders(ctx, filters, { after, limit });
      return { data, next_after: data.length && data.length === Math.min(limit ?? 200, 1000) ? data[data.length - 1].card_id : null };
    },
  }];
}
