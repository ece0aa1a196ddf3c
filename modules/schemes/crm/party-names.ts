import type { RequestContext } from 'tessera/core';
import type { Ports } from '../billing/billing-ports';

export interface CustomerName {
  id: number;
  /** `CU-000042 · Ama Mensah` */
  name: string;
  phone: string | null;
}

/**
 * Customers named through crm's service (never its table): one search by ids per page of the list,
 * paged by crm's cursor. A customer the caller may not see keeps its number.
 */
export async function customerNames(ports: Ports, ctx: RequestContext, ids: number[]): Promise<Map<number, CustomerName>> {
  const wanted = [...new Set(ids.filter((id) => Number.isSafeInteger(id) && id > 0))];
  const names = new Map<number, CustomerName>();
  if (!wanted.length) return names;
  let after: string | null = null;
  do {
    const page = await ports.customers().search(ctx, { ids: wanted }, { after, limit: 200 });
    for (const c of page.data) names.set(c.id, { id: c.id, name: [c.code, [c.first_name, c.last_name].filter(Boolean).join(' ')].filter(Boolean).join(' · '), phone: c.phone ?? null });
    after = page.next_cursor;
  } while (after);
  return names;
}

/** The caller's shops by id, named through base's shop service. */
export async function shopNames(ports: Ports, ctx: RequestContext): Promise<Map<number, string>> {
  const shops = await ports.shops().list(ctx);
  return new Map(shops.map((s) => [Number(s.id), String(s.name)]));
}
