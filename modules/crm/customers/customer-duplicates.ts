import { type RequestContext, toDate } from 'tessera/core';
import { PERM } from '../permissions';
import type { CustomerRow } from './customer-types';

const CUSTOMERS = 'crm_customers';

export interface DuplicatePhone {
  phone: string;
  /** Every customer with that phone, family members sharing their main customer's included, oldest first. */
  customers: Array<{ id: number; code: string; first_name: string; last_name: string; phone: string | null; email: string | null; parent_id: number | null; created_at: string | null }>;
}

/**
 * Phones that more than one customer of the company holds in its own right: duplicates made before
 * the one-phone-one-customer rule (migration 006), waiting to be merged. A family member sharing its
 * main customer's phone is not one. Pages of `limit` phones in phone order, after `after`.
 */
export async function duplicatePhones(ctx: RequestContext, options: { after?: string | null; limit?: number } = {}): Promise<{ data: DuplicatePhone[]; next_cursor: string | null }> {
  ctx.require(PERM.customerRead);
  const companyId = ctx.companyId;
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
  const claimants = ctx.db
    .queryCompany(companyId, CUSTOMERS, 'c')
    .leftJoin(`${CUSTOMERS} as p`, 'p.id', 'c.parent_id')
    .whereNotNull('c.phone_norm')
    .where((w) => w.whereNull('p.id').orWhereNull('p.phone_norm').orWhereRaw('p.phone_norm <> c.phone_norm'));
  if (options.after) claimants.where('c.phone_norm', '>', options.after);
  const phones = claimants.groupBy('c.phone_norm').havingRaw('COUNT(*) > 1').orderBy('c.phone_norm').limit(limit + 1).pluck('c.phone_norm');
  const found = (await phones) as string[];
  const page = found.slice(0, limit);
  const rows = page.length ? ((await ctx.db.queryCompany(companyId, CUSTOMERS).whereIn('phone_norm', page).orderBy('id')) as CustomerRow[]) : [];
  return {
    data: page.map((phone) => ({ phone, customers: rows.filter((r) => r.phone_norm === phone).map(brief) })),
    next_cursor: found.length > limit ? page[page.length - 1] : null,
  };
}

function brief(r: CustomerRow): DuplicatePhone['customers'][number] {
  return {
    id: Number(r.id),
    code: r.code,
    first_name: r.first_name ?? '',
    last_name: r.last_name,
    phone: r.phone ?? null,
    email: r.email ?? null,
    parent_id: r.parent_id == null ? null : Number(r.parent_id),
    created_at: toDate(r.created_at)?.toISOString() ?? null,
  };
}
