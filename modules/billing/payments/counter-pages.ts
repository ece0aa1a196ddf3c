import { formList, formProblem, parseAmount, text, ValidationError, type PageResult, type PageRoute, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';
import { BILLING_PERMISSIONS as P, type PaymentMethod } from '../api';
import type { BillingServices } from '../services';
import { companyFacts, inTransaction } from '../shared/caller';

/**
 * Counter billing: the invoice and its payment in one step and one transaction, paid at once. The
 * reference defaults to the invoice's number, so a resubmitted form cannot pay twice.
 */
export async function counterSale(ctx: RequestContext, s: BillingServices, input: { customerId: number; journalId: number; method: PaymentMethod; reference?: string; lines: Array<{ productCode: string; quantity: number; unitPrice?: number }> }) {
  ctx.require(P.invoicePost);
  return inTransaction(ctx, async (db) => {
    const invoice = await s.documents.createInvoice(db, { customerId: input.customerId, lines: input.lines, post: true });
    const payment = await s.payments.record(db, { customerId: input.customerId, journalId: input.journalId, amount: invoice.total, method: input.method, reference: input.reference || `COUNTER-${invoice.number}`, invoiceIds: [invoice.id] });
    return { invoice: await s.documents.get(db, invoice.id), payment };
  });
}

export function counterPageRoutes(s: BillingServices): PageRoute[] {
  const form = async (ctx: RequestContext, values: Record<string, unknown>, error?: string): Promise<PageResult> => {
    const journals = await ctx.db.queryCompany(ctx.companyId, 'billing_journals').where({ is_active: true }).whereIn('kind', ['cash', 'bank', 'mobile_money']).orderBy('code');
    const products = await ctx.db.queryCompany(ctx.companyId, 'billing_products').where({ is_active: true }).orderBy('code').select('code', 'name');
    return { view: 'billing/counter', title: 'Counter billing', status: error ? 422 : 200, data: { values, error, journals, products, rows: [0, 1, 2, 3] } };
  };
  return [
    { method: 'GET', path: '/billing/counter', permission: P.paymentRecord, handler: async (ctx) => form(ctx, {}) },
    {
      method: 'POST', path: '/billing/counter', permission: P.paymentRecord,
      handler: async (ctx, { body }) => {
        try {
          const facts = await companyFacts(ctx.db);
          const code = text(body, 'customer');
          const customer = await ctx.container.get<CustomerService>(CRM.Customers).findByCode(ctx, code);
          if (!customer) throw new ValidationError({ customer: `no customer with code ${code}` });
          const quantities = formList(body, 'quantity');
          const prices = formList(body, 'unit_price');
          const lines = formList(body, 'product_code').map((productCode, i) => ({ productCode, quantity: Number(quantities[i] || 1), unitPrice: prices[i] ? (parseAmount(prices[i], facts.currency) ?? NaN) : undefined })).filter((l) => l.productCode.trim());
          const { invoice } = await counterSale(ctx, s, { customerId: customer.id, journalId: Number(text(body, 'journal_id')), method: text(body, 'method') as PaymentMethod, reference: text(body, 'reference'), lines });
          return { redirect: `/billing/invoices/${invoice.id}`, flash: { type: 'success', message: `Invoice ${invoice.number} paid.` } };
        } catch (error) {
          const problem = formProblem(error);
          if (!problem) throw error;
          return form(ctx, { customer: text(body, 'customer') }, `${problem.message} ${Object.entries(problem.errors).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
        }
      },
    },
  ];
}
