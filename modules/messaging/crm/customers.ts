import { NotFoundError, RequestContext, ValidationError, type ScopedDb } from 'tessera/core';
import type { Container } from 'inversify';
import { CRM, type Customer, type CustomerContact, type CustomerService } from '../../crm/api';

/** A customer through crm's service (never its tables); undefined when the caller cannot see it. */
/** How to reach a customer (crm's one-read contact); undefined when the caller cannot see it. */
export function findContact(ctx: RequestContext, id: number): Promise<CustomerContact | undefined> {
  return ctx.container.get<CustomerService>(CRM.Customers).contact(ctx, Number(id));
}

/** `findContact` for several ids in one read (crm's `contacts`): keyed by id, those the caller cannot see left out. */
export function findContacts(ctx: RequestContext, ids: number[]): Promise<Map<number, CustomerContact>> {
  return ctx.container.get<CustomerService>(CRM.Customers).contacts(ctx, ids.map(Number));
}

export async function findCustomer(ctx: RequestContext, id: number): Promise<Customer | undefined> {
  try {
    return await ctx.container.get<CustomerService>(CRM.Customers).get(ctx, Number(id));
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** Refuses (422, naming the field) a customer the caller cannot see in `companyId`. */
export async function assertCustomer(ctx: RequestContext, id: unknown, companyId: number, field = 'customer_id'): Promise<Customer> {
  const customer = Number.isSafeInteger(Number(id)) ? await findCustomer(ctx, Number(id)) : undefined;
  if (!customer || Number(customer.company_id) !== Number(companyId)) throw new ValidationError({ [field]: `customer ${id} does not exist` });
  return customer;
}

/** A context for services that take one, from a handler's or a job's scoped db. */
export function contextOf(db: ScopedDb, container: Container): RequestContext {
  return new RequestContext(db.principal, db, container);
}
