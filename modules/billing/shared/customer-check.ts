import { ValidationError, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';

/**
 * A customer id sent by a client must name a customer of the caller's company (through crm's service).
 * `exists` is one indexed read: the whole customer (tags, logins) is not needed to check an id, and a
 * payment posted over HTTP pays for this check on every request.
 */
export async function assertCustomer(ctx: RequestContext, customerId: number, field = 'customer_id'): Promise<void> {
  if (!(await ctx.container.get<CustomerService>(CRM.Customers).exists(ctx, customerId))) throw new ValidationError({ [field]: `no customer ${customerId}` });
}
