import { ConflictError, type EventHandlerContext } from 'tessera/core';
import type { CustomerDeletion } from '../../crm/api';

/** crm asks before deleting a customer: one with billing documents or payments keeps its history, so the delete is refused. */
export async function refuseDeletingBilledCustomer({ db, event }: EventHandlerContext<CustomerDeletion>): Promise<void> {
  const companyId = event.companyId;
  const doc = await db.queryCompany(companyId, 'billing_documents').where({ customer_id: event.payload.customer_id }).first('id');
  const payment = doc ? null : await db.queryCompany(companyId, 'billing_payments').where({ customer_id: event.payload.customer_id }).first('id');
  if (doc || payment) throw new ConflictError(`Customer ${event.payload.code} has billing documents or payments; their history must stay`);
}
