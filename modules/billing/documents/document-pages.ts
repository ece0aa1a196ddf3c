import { formProblem, parseAmount, requireId, text, type PageRoute, type RequestContext } from 'tessera/core';
import { BILLING_PERMISSIONS as P, type BillingDocument, type DocumentKind } from '../api';
import type { BillingServices } from '../services';
import { calendarDay, companyFacts } from '../shared/caller';
import { listDocuments } from './document-list';
import { displayStatus, kindLabel } from './document-store';
import { allocationsOf } from '../ledger/allocation';
import { customerName } from '../crm/customer-name';

export const KIND_PATHS: Record<DocumentKind, string> = { invoice: 'invoices', quote: 'quotes', order: 'orders', credit_note: 'credit-notes' };

async function history(ctx: RequestContext, id: number) {
  const trail = ctx.container.isBound(Symbol.for('base.AuditTrail')) ? ctx.container.get<any>(Symbol.for('base.AuditTrail')) : null;
  return trail && trail.canRead(ctx) ? trail.forRecord(ctx, 'billing_documents', id) : [];
}

/** Lists of every kind, document pages with ledger, allocations and audit, and their actions. */
export function documentPageRoutes(s: BillingServices): PageRoute[] {
  const routes: PageRoute[] = [];
  for (const kind of Object.keys(KIND_PATHS) as DocumentKind[]) {
    const base = `/billing/${KIND_PATHS[kind]}`;
    routes.push({
      method: 'GET', path: base, permission: P.documentRead,
      handler: async (ctx, { query }) => {
        const filters = { status: text(query, 'status') || undefined, q: text(query, 'q') || undefined, customer_id: Number(text(query, 'customer_id')) || undefined, after: /^\d+$/.test(text(query, 'after')) ? text(query, 'after') : undefined };
        const page = await listDocuments(ctx.db, kind, { ...filters, limit: 50 });
        const today = calendarDay((await companyFacts(ctx.db)).timezone);
        return {
          view: 'billing/document-list',
          title: `${kindLabel(kind)}s`,
          data: {
            kind, base, filters, title: `${kindLabel(kind)}s`,
            statusOptions: ['draft', 'posted', 'open', 'paid', 'converted', 'cancelled'].map((value) => ({ value, selected: value === filters.status })),
            documents: page.data.map((d) => ({ ...d, shown: displayStatus(d, today) })),
            next: page.next_cursor,
            canCreate: kind !== 'credit_note' && ctx.can(kind === 'quote' ? P.quoteWrite : kind === 'order' ? P.orderWrite : P.invoiceWrite),
            csv: `/api/v1/billing/${KIND_PATHS[kind]}?format=csv${filters.status ? `&status=${encodeURIComponent(filters.status)}` : ''}`,
          },
        };
      },
    });
    routes.push({
      method: 'GET', path: `${base}/:id`, permission: P.documentRead,
      handler: async (ctx, { params }) => {
        const doc = await s.documents.getOfKind(ctx, requireId(params.id), kind);
        return { view: 'billing/document-detail', title: `${kindLabel(kind)} ${doc.number ?? `draft #${doc.id}`}`, data: await detailData(ctx, s, doc, base) };
      },
    });
  }
  const act = (path: string, permission: string, run: (ctx: RequestContext, id: number, body: Record<string, unknown>) => Promise<BillingDocument | { id: number }>, target: (doc: any) => string, done: string): PageRoute => ({
    method: 'POST', path, permission,
    handler: async (ctx, { params, body }) => {
      const id = requireId(params.id);
      try {
        const doc = await run(ctx, id, body);
        return { redirect: target(doc), flash: { type: 'success', message: done } };
      } catch (error) {
        const problem = formProblem(error);
        if (!problem) throw error;
        return { redirect: `/billing/${path.split('/')[2]}/${id}`, flash: { type: 'error', message: problem.message } };
      }
    },
  });
  const facts = (ctx: RequestContext) => companyFacts(ctx.db);
  routes.push(
    act('/billing/invoices/:id/post', P.invoicePost, (ctx, id) => s.documents.post(ctx, id), (d) => `/billing/invoices/${d.id}`, 'Invoice posted.'),
    act('/billing/quotes/:id/convert', P.quoteWrite, (ctx, id, b) => {
      const to = text(b, 'to') === 'order' ? 'order' : 'invoice';
      if (to === 'invoice') ctx.require(P.invoicePost);
      return s.documents.convertQuote(ctx, id, to);
    }, (d) => `/billing/${KIND_PATHS[d.kind as DocumentKind]}/${d.id}`, 'Quote converted.'),
    act('/billing/orders/:id/status', P.orderWrite, (ctx, id, b) => s.documents.setDeliveryStatus(ctx, id, text(b, 'status') as never), (d) => `/billing/orders/${d.id}`, 'Delivery status changed.'),
    act('/billing/orders/:id/invoice', P.invoicePost, (ctx, id) => s.documents.invoiceOrder(ctx, id), (d) => `/billing/invoices/${d.id}`, 'Order invoiced.'),
    act('/billing/orders/:id/refund', P.orderWrite, async (ctx, id, b) => s.documents.refundOrder(ctx, id, parseAmount(text(b, 'amount'), (await facts(ctx)).currency) ?? NaN, text(b, 'reason')), (d) => `/billing/orders/${d.id}`, 'Order refunded.'),
    act('/billing/invoices/:id/payment', P.paymentRecord, async (ctx, id, b) => {
      const doc = await s.documents.getOfKind(ctx, id, 'invoice');
      await s.payments.record(ctx, {
        customerId: doc.customer_id, journalId: Number(text(b, 'journal_id')), amount: parseAmount(text(b, 'amount'), doc.currency) ?? NaN,
        method: text(b, 'method') as never, reference: text(b, 'reference'), invoiceIds: [doc.id],
      });
      return doc;
    }, (d) => `/billing/invoices/${d.id}`, 'Payment recorded.'),
    act('/billing/invoices/:id/credit-note', P.creditNoteWrite, async (ctx, id, b) => {
      const doc = await s.documents.getOfKind(ctx, id, 'invoice');
      await s.creditNotes.createForInvoice(ctx, { invoiceId: id, amount: parseAmount(text(b, 'amount'), doc.currency) ?? NaN, reason: text(b, 'reason') });
      return doc;
    }, (d) => `/billing/invoices/${d.id}`, 'Credit note posted.'),
  );
  return routes;
}

async function detailData(ctx: RequestContext, s: BillingServices, doc: BillingDocument, base: string) {
  const today = calendarDay((await companyFacts(ctx.db)).timezone);
  const ledger = await ctx.db.queryCompany(ctx.companyId, 'billing_ledger').where({ document_id: doc.id }).orderBy('id');
  const allocations = doc.kind === 'invoice' ? await allocationsOf(ctx.db, { invoiceId: doc.id }) : doc.kind === 'credit_note' ? await allocationsOf(ctx.db, { source: { kind: 'credit_note', id: doc.id } }) : [];
  const journals = await ctx.db.queryCompany(ctx.companyId, 'billing_journals').where({ is_active: true }).whereIn('kind', ['cash', 'bank', 'mobile_money']).orderBy('code');
  const journal = await s.catalog.journal(ctx, doc.journal_id);
  return {
    doc, base, journal,
    shown: displayStatus(doc, today),
    customer: { id: doc.customer_id, name: await customerName(ctx, doc.customer_id) },
    ledger, allocations, journals,
    history: await history(ctx, doc.id),
    isInvoice: doc.kind === 'invoice', isQuote: doc.kind === 'quote', isOrder: doc.kind === 'order',
    isDraft: doc.status === 'draft', isOpen: doc.kind === 'invoice' && doc.status === 'posted' && doc.residual > 0,
    nextStatuses: doc.kind === 'order' ? ['shipped', 'received', 'completed', 'cancelled'].filter((x) => x !== doc.delivery_status) : [],
    printable: doc.kind !== 'order' && (doc.status !== 'draft' || doc.kind === 'quote'),
  };
}
