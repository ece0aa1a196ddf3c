import { idParams, type ApiRoute } from 'tessera/core';
import { BILLING_PERMISSIONS as P, type DocumentKind, type LineInput } from '../api';
import type { BillingServices } from '../services';
import { body, creditNoteBody, documentBody, documentSchema, lineSchema, listQuery, positiveMoney } from '../shared/api-schemas';
import { assertCustomer } from '../shared/customer-check';
import { listDocuments } from './document-list';
import { sendCsv, documentCsv } from '../reports/csv-export';

interface WireLine { product_code: string; quantity: number; unit_price?: number; description?: string; tax_exempt?: boolean }
export function fromWire(lines: WireLine[]): LineInput[] {
  return lines.map((l) => ({ productCode: l.product_code, quantity: l.quantity, unitPrice: l.unit_price, description: l.description, taxExempt: l.tax_exempt }));
}

const KINDS: Array<{ kind: DocumentKind; path: string; write: string }> = [
  { kind: 'invoice', path: '/invoices', write: P.invoiceWrite },
  { kind: 'quote', path: '/quotes', write: P.quoteWrite },
  { kind: 'order', path: '/orders', write: P.orderWrite },
  { kind: 'credit_note', path: '/credit-notes', write: P.creditNoteWrite },
];

/** Documents over JSON: lists (CSV too) and reads of every kind, then what each kind can do. */
export function documentApiRoutes(s: BillingServices): ApiRoute[] {
  const routes: ApiRoute[] = [];
  for (const { kind, path } of KINDS) {
    routes.push({
      method: 'GET', path, permission: P.documentRead, summary: `List ${kind.replace('_', ' ')}s (newest first; \`format=csv\` exports with the same filters)`, query: listQuery,
      handler: async (ctx, { query }, _req, res) => (query.format === 'csv' ? sendCsv(res, `${kind}s.csv`, documentCsv(ctx.db, kind, query)) : listDocuments(ctx.db, kind, query)),
    });
    routes.push({ method: 'GET', path: `${path}/{id}`, permission: P.documentRead, summary: `One ${kind.replace('_', ' ')} with its lines`, params: idParams, response: documentSchema,
      handler: async (ctx, { params }) => s.documents.getOfKind(ctx, params.id, kind) });
  }
  const create = (kind: 'invoice' | 'quote' | 'order', permission: string) => ({
    method: 'POST' as const, path: `/${kind}s`, permission, summary: `Create a${kind === 'order' ? 'n' : ''} ${kind} from lines named by product code`, body: documentBody, response: documentSchema, status: 201, idempotent: true,
    handler: async (ctx: any, { body: b }: any) => {
      await assertCustomer(ctx, b.customer_id);
      if (kind === 'invoice' && b.post) ctx.require(P.invoicePost);
      const input = { customerId: b.customer_id, journalId: b.journal_id, lines: fromWire(b.lines), post: b.post, dueDate: b.due_date, metadata: b.metadata };
      return kind === 'invoice' ? s.documents.createInvoice(ctx, input) : kind === 'quote' ? s.documents.createQuote(ctx, input) : s.documents.createOrder(ctx, input);
    },
  });
  routes.push(create('invoice', P.invoiceWrite), create('quote', P.quoteWrite), create('order', P.orderWrite));
  routes.push(
    { method: 'POST', path: '/invoices/{id}/lines', permission: P.invoiceWrite, summary: 'Add a line to a draft invoice, quote or order (negative lines allowed)', params: idParams, body: lineSchema, response: documentSchema,
      handler: async (ctx, { params, body: b }) => s.documents.addLine(ctx, params.id, fromWire([b])[0]) },
    { method: 'PUT', path: '/invoices/{id}/lines', permission: P.invoiceWrite, summary: 'Replace every line of a draft', params: idParams, body: body(['lines'], { lines: { type: 'array', maxItems: 500, items: lineSchema } }), response: documentSchema,
      handler: async (ctx, { params, body: b }) => s.documents.replaceLines(ctx, params.id, fromWire(b.lines)) },
    { method: 'POST', path: '/invoices/{id}/post', permission: P.invoicePost, summary: 'Post a draft invoice: number it, write the receivable', params: idParams, response: documentSchema,
      handler: async (ctx, { params }) => s.documents.post(ctx, params.id) },
    { method: 'POST', path: '/quotes/{id}/convert', permission: P.quoteWrite, summary: 'Convert a quote into an order or a posted invoice', params: idParams, idempotent: true,
      body: body(['to'], { to: { type: 'string', enum: ['order', 'invoice'] } }), response: documentSchema,
      handler: async (ctx, { params, body: b }) => {
        if (b.to === 'invoice') ctx.require(P.invoicePost);
        return s.documents.convertQuote(ctx, params.id, b.to);
      } },
    { method: 'POST', path: '/orders/{id}/status', permission: P.orderWrite, summary: 'Move an order\'s delivery status (completed publishes billing.order.completed)', params: idParams,
      body: body(['status'], { status: { type: 'string', enum: ['preparing', 'shipped', 'received', 'completed', 'cancelled'] } }), response: documentSchema,
      handler: async (ctx, { params, body: b }) => s.documents.setDeliveryStatus(ctx, params.id, b.status) },
    { method: 'POST', path: '/orders/{id}/refund', permission: P.orderWrite, summary: 'Refund an order, whole or part (billing.order.refunded)', params: idParams, idempotent: true,
      body: body(['amount', 'reason'], { amount: positiveMoney, reason: { type: 'string', minLength: 1, maxLength: 500 } }), response: documentSchema,
      handler: async (ctx, { params, body: b }) => s.documents.refundOrder(ctx, params.id, b.amount, b.reason) },
    { method: 'POST', path: '/orders/{id}/invoice', permission: P.invoicePost, summary: 'Invoice an order (once)', params: idParams, response: documentSchema,
      handler: async (ctx, { params }) => s.documents.invoiceOrder(ctx, params.id) },
    { method: 'POST', path: '/credit-notes', permission: P.creditNoteWrite, status: 201, idempotent: true,
      summary: 'A credit note: against `invoice_id` (up to its residual), or standalone (latest outstanding invoice first, rest as credit)', body: creditNoteBody,
      handler: async (ctx, { body: b }) => {
        await assertCustomer(ctx, b.customer_id);
        return b.invoice_id
          ? s.creditNotes.createForInvoice(ctx, { invoiceId: b.invoice_id, amount: b.amount, reason: b.reason, journalId: b.journal_id })
          : s.creditNotes.createStandalone(ctx, { customerId: b.customer_id, journalId: b.journal_id, amount: b.amount, reason: b.reason });
      } },
    { method: 'POST', path: '/credit-notes/{id}/reverse', permission: P.creditNoteWrite, params: idParams,
      summary: 'Reverse a posted credit note by counter rows: the invoices it paid owe that again, its credit is withdrawn (billing.credit_note.reversed); again answers the reversed note',
      body: body(['reason'], { reason: { type: 'string', minLength: 1, maxLength: 500 } }),
      handler: async (ctx, { params, body: b }) => s.creditNotes.reverse(ctx, params.id, b.reason) },
  );
  return routes;
}
