import type { SchemesWorld } from './schemes-fixtures';

/** A posted invoice of `amount` for the customer, outside any plan (a spare part, a service visit). */
export async function postedInvoiceOf(w: SchemesWorld, customerId: number, amount: number): Promise<number> {
  const invoice = await w.documents.createInvoice(w.ctx, { customerId, lines: [{ productCode: 'KIT', quantity: 1, unitPrice: amount, taxExempt: true }], post: true });
  return invoice.id;
}
