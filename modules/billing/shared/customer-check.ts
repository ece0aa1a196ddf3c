import { NotFoundError, ValidationError, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';

/** A customer id sent by a client must name a customer of the caller's companies (through crm's service). */
export async function assertCustomer(ctx: RequestContext, customerId: number, field = 'customer_id'): Promise<void> {
  try {
    await ctx.container.get<CustomerService>(CRM.Customers).get(ctx, customerId);
  } catch (error) {
    if (error instanceof NotFoundError) throw new ValidationError({ [field]: `no customer ${customerId}` });
    throw error;
  }
}
