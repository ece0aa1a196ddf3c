import { formProblem, requireId, text, type PageRoute, type RequestContext } from 'tessera/core';
import { BILLING_PERMISSIONS as P } from '../api';
import type { BillingServices } from '../services';
import { listPayments } from '../documents/document-list';
import { allocationsOf } from '../ledger/allocation';
import { customerName } from '../crm/customer-name';

async function history(ctx: RequestContext, id: number) {
  const trail = ctx.container.isBound(Symbol.for('base.AuditTrail')) ? ctx.container.get<any>(Symbol.for('base.AuditTrail')) : null;
  return trail && trail.canRead(ctx) ? trail.forRecord(ctx, 'billing_payments', id) : [];
}

/** Payment list and page (allocations, ledger, audit, `billing.payment.panels`), confirm, fail and reverse. */
export function paymentPageRoutes(s: BillingServices): PageRoute[] {
  const act = (action: 'confirm' | 'fail' | 'reverse', permission: string, done: string): PageRoute => ({
    method: 'POST', path: `/billing/payments/:id/${action}`, permission,
    handler: async (ctx, { params, body }) => {
      const id = requireId(params.id);
      try {
        if (action === 'reverse') await s.payments.reverse(ctx, id, text(body, 'reason'));
        else await s.payments[action](ctx, id);
        return { redirect: `/billing/payments/${id}`, flash: { type: 'success', message: done } };
      } catch (error) {
        const problem = formProblem(error);
        if (!problem) throw error;
        return { redirect: `/billing/payments/${id}`, flash: { type: 'error', message: problem.message } };
      }
    },
  });
  return [
    {
      method: 'GET', path: '/billing/payments', permission: P.documentRead,
      handler: async (ctx, { query }) => {
        const filters = { status: text(query, 'status') || undefined, q: text(query, 'q') || undefined, customer_id: Number(text(query, 'customer_id')) || undefined, after: /^\d+$/.test(text(query, 'after')) ? text(query, 'after') : undefined };
        const page = await listPayments(ctx.db, { ...filters, limit: 50 });
        return { view: 'billing/payment-list', title: 'Payments', data: { payments: page.data, next: page.next_cursor, filters, csv: `/api/v1/billing/payments?format=csv${filters.status ? `&status=${filters.status}` : ''}` } };
      },
    },
    {
      method: 'GET', path: '/billing/payments/:id', permission: P.documentRead,
      handler: async (ctx, { params }) => {
        const payment = await s.payments.get(ctx, requireId(params.id));
        const journal = await s.catalog.journal(ctx, payment.journal_id);
        return {
          view: 'billing/payment-detail',
          title: `Payment ${payment.reference}`,
          data: {
            payment, journal,
            customer: { id: payment.customer_id, name: await customerName(ctx, payment.customer_id) },
            allocations: await allocationsOf(ctx.db, { source: { kind: 'payment', id: payment.id } }),
            ledger: await ctx.db.queryCompany(ctx.companyId, 'billing_ledger').where({ payment_id: payment.id }).orderBy('id'),
            history: await history(ctx, payment.id),
            processing: payment.status === 'processing',
            paid: payment.status === 'paid',
          },
        };
      },
    },
    act('confirm', P.paymentRecord, 'Payment confirmed.'),
    act('fail', P.paymentRecord, 'Payment marked failed.'),
    act('reverse', P.paymentReverse, 'Payment reversed.'),
  ];
}
