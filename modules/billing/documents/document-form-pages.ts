import { formatAmount, formList, formProblem, parseAmount, requireId, text, ValidationError, type PageResult, type PageRoute, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';
import { BILLING_PERMISSIONS as P, type LineInput } from '../api';
import type { BillingServices } from '../services';
import { companyFacts } from '../shared/caller';

type FormKind = 'invoice' | 'quote' | 'order';
const WRITE: Record<FormKind, string> = { invoice: P.invoiceWrite, quote: P.quoteWrite, order: P.orderWrite };

/** The customer a form names by code or id, through crm's service. */
async function resolveCustomer(ctx: RequestContext, value: string): Promise<number> {
  const customers = ctx.container.get<CustomerService>(CRM.Customers);
  const byCode = value ? await customers.findByCode(ctx, value) : undefined;
  if (byCode) return byCode.id;
  if (/^\d+$/.test(value)) return (await customers.get(ctx, Number(value)).catch(() => { throw new ValidationError({ customer: `no customer ${value}` }); })).id;
  throw new ValidationError({ customer: value ? `no customer with code or id ${value}` : 'is required' });
}

/** Lines from the form's repeated fields; empty rows are skipped. Amounts typed as `12.50`. */
function linesFrom(body: Record<string, unknown>, currency: string): LineInput[] {
  const codes = formList(body, 'product_code');
  const quantities = formList(body, 'quantity');
  const prices = formList(body, 'unit_price');
  const lines: LineInput[] = [];
  const errors: Record<string, string> = {};
  codes.forEach((code, i) => {
    if (!code.trim()) return;
    const quantity = Number(quantities[i]);
    const price = (prices[i] ?? '').trim() === '' ? undefined : parseAmount(prices[i], currency);
    if (!Number.isInteger(quantity) || quantity === 0) errors[`lines.${i}.quantity`] = 'must be a whole number other than 0';
    if (price === null) errors[`lines.${i}.unit_price`] = 'must be an amount';
    lines.push({ productCode: code.trim(), quantity, unitPrice: price ?? undefined });
  });
  if (Object.keys(errors).length) throw new ValidationError(errors);
  if (!lines.length) throw new ValidationError({ lines: 'add at least one line' });
  return lines;
}

/** New and edit forms of invoices, quotes and orders; the browser recomputes totals as you type, the server decides. */
export function documentFormRoutes(s: BillingServices): PageRoute[] {
  const form = async (ctx: RequestContext, kind: FormKind, values: Record<string, unknown>, errors: Record<string, string> = {}, id: number | null = null): Promise<PageResult> => {
    const facts = await companyFacts(ctx.db);
    const products = await ctx.db.queryCompany(ctx.companyId, 'billing_products', 'p').leftJoin('billing_taxes as t', 't.id', 'p.tax_id').where('p.is_active', true).orderBy('p.code').select('p.code', 'p.name', 'p.unit_price', 't.rate');
    const rows = (values.lines as Array<Record<string, unknown>> | undefined) ?? [{}, {}];
    return {
      view: 'billing/document-form',
      title: id ? `Edit draft #${id}` : `New ${kind}`,
      status: Object.keys(errors).length ? 422 : 200,
      data: {
        kind, id, values, errors, currency: facts.currency,
        action: id ? `/billing/invoices/${id}/edit` : `/billing/${kind}s/new`,
        errorList: Object.entries(errors).map(([field, reason]) => ({ field, reason })),
        products: products.map((p: Record<string, unknown>) => ({ code: p.code, name: p.name, price: formatAmount(Number(p.unit_price), facts.currency), rate: Number(p.rate ?? 0) })),
        rows: [...rows, {}].map((r) => ({ product_code: r.product_code ?? '', quantity: r.quantity ?? 1, unit_price: r.unit_price ?? '' })),
        canPost: kind === 'invoice' && ctx.can(P.invoicePost),
      },
    };
  };
  const routes: PageRoute[] = [];
  for (const kind of ['invoice', 'quote', 'order'] as FormKind[]) {
    routes.push(
      { method: 'GET', path: `/billing/${kind}s/new`, permission: WRITE[kind], handler: async (ctx, { query }) => form(ctx, kind, { customer: text(query, 'customer') }) },
      {
        method: 'POST', path: `/billing/${kind}s/new`, permission: WRITE[kind],
        handler: async (ctx, { body }) => {
          const facts = await companyFacts(ctx.db);
          try {
            const customerId = await resolveCustomer(ctx, text(body, 'customer'));
            const lines = linesFrom(body, facts.currency);
            const post = kind === 'invoice' && text(body, 'post') === '1';
            if (post) ctx.require(P.invoicePost);
            const input = { customerId, lines, post };
            const doc = kind === 'invoice' ? await s.documents.createInvoice(ctx, input) : kind === 'quote' ? await s.documents.createQuote(ctx, input) : await s.documents.createOrder(ctx, input);
            return { redirect: `/billing/${kind}s/${doc.id}`, flash: { type: 'success', message: post ? 'Invoice posted.' : 'Saved.' } };
          } catch (error) {
            const problem = formProblem(error);
            if (!problem) throw error;
            return form(ctx, kind, { customer: text(body, 'customer'), lines: echo(body) }, { form: problem.message, ...problem.errors });
          }
        },
      },
    );
  }
  routes.push(
    {
      method: 'GET', path: '/billing/invoices/:id/edit', permission: P.invoiceWrite,
      handler: async (ctx, { params }) => {
        const doc = await s.documents.getOfKind(ctx, requireId(params.id), 'invoice');
        if (doc.status !== 'draft') return { redirect: `/billing/invoices/${doc.id}`, flash: { type: 'error', message: 'A posted invoice is corrected by a credit note.' } };
        const lines = (doc.lines ?? []).map((l) => ({ product_code: l.product_code, quantity: l.quantity, unit_price: formatAmount(l.unit_price, doc.currency) }));
        return form(ctx, 'invoice', { customer: String(doc.customer_id), lines }, {}, doc.id);
      },
    },
    {
      method: 'POST', path: '/billing/invoices/:id/edit', permission: P.invoiceWrite,
      handler: async (ctx, { params, body }) => {
        const id = requireId(params.id);
        const facts = await companyFacts(ctx.db);
        try {
          await s.documents.replaceLines(ctx, id, linesFrom(body, facts.currency));
          if (text(body, 'post') === '1') {
            ctx.require(P.invoicePost);
            await s.documents.post(ctx, id);
          }
          return { redirect: `/billing/invoices/${id}`, flash: { type: 'success', message: 'Saved.' } };
        } catch (error) {
          const problem = formProblem(error);
          if (!problem) throw error;
          return form(ctx, 'invoice', { customer: text(body, 'customer'), lines: echo(body) }, { form: problem.message, ...problem.errors }, id);
        }
      },
    },
  );
  return routes;
}

function echo(body: Record<string, unknown>) {
  const codes = formList(body, 'product_code');
  const quantities = formList(body, 'quantity');
  const prices = formList(body, 'unit_price');
  return codes.map((code, i) => ({ product_code: code, quantity: quantities[i], unit_price: prices[i] })).filter((l) => l.product_code);
}
