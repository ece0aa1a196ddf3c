import { idParams, type ApiRoute } from 'tessera/core';
import { BILLING_PERMISSIONS as P } from '../api';
import type { BillingServices } from '../services';
import { body, listQuery, paymentBody, paymentSchema } from '../shared/api-schemas';
import { assertCustomer } from '../shared/customer-check';
import { listPayments } from '../documents/document-list';
import { paymentCsv, sendCsv } from '../reports/csv-export';

/** Payments over JSON; a gateway's webhook posts its transaction id as the reference. */
export function paymentApiRoutes(s: BillingServices): ApiRoute[] {
  return [
    { method: 'GET', path: '/payments', permission: P.documentRead, summary: 'List payments (newest first; `format=csv` exports with the same filters)', query: listQuery,
      handler: async (ctx, { query }, _req, res) => (query.format === 'csv' ? sendCsv(res, 'payments.csv', paymentCsv(ctx.db, query)) : listPayments(ctx.db, query)) },
    { method: 'GET', path: '/payments/{id}', permission: P.documentRead, summary: 'One payment with its allocations', params: idParams, response: paymentSchema,
      handler: async (ctx, { params }) => s.payments.get(ctx, params.id) },
    { method: 'POST', path: '/payments', permission: P.paymentRecord, idempotent: true, body: paymentBody, response: paymentSchema,
      summary: 'Record a payment (201); the same reference in the journal answers the existing payment (200, `created: false`, no new money)',
      handler: async (ctx, { body: b }, _req, res) => {
        // The customer is checked through crm unless billing already holds an account for it (see `record`).
        const payment = await s.payments.record(ctx, {
          customerId: b.customer_id, journalId: b.journal_id, amount: b.amount, method: b.method, reference: b.reference,
          status: b.status, invoiceIds: b.invoice_ids, allocate: b.allocate, metadata: b.metadata, paidAt: b.paid_at,
        }, { checkCustomer: (db) => assertCustomer(ctx.withDb(db), b.customer_id) });
        if (payment.created) res.status(201);
        return payment;
      } },
    { method: 'POST', path: '/payments/{id}/confirm', permission: P.paymentRecord, summary: 'A processing payment is paid: allocate it, publish billing.payment.posted', params: idParams, response: paymentSchema,
      handler: async (ctx, { params }) => s.payments.confirm(ctx, params.id) },
    { method: 'POST', path: '/payments/{id}/fail', permission: P.paymentRecord, summary: 'A processing payment failed: no money moved', params: idParams, response: paymentSchema,
      handler: async (ctx, { params }) => s.payments.fail(ctx, params.id) },
    { method: 'POST', path: '/payments/{id}/reverse', permission: P.paymentReverse, summary: 'Reverse a paid payment (refund, bounced cheque): allocations undone by counter rows', params: idParams,
      body: body(['reason'], { reason: { type: 'string', minLength: 1, maxLength: 500 } }), response: paymentSchema,
      handler: async (ctx, { params, body: b }) => s.payments.reverse(ctx, params.id, b.reason) },
  ];
}
