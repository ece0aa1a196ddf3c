import type { RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';

/** "Code · First Last" through crm's service (billing never reads crm's tables); the id when unknown. */
export async function customerName(ctx: RequestContext, customerId: number): Promise<string> {
  try {
    const c = await ctx.container.get<CustomerService>(CRM.Customers).get(ctx, customerId);
    return `${c.code} · ${c.first_name} ${c.last_name}`.trim();
  } catch {
    return `#${customerId}`;
  }
}
