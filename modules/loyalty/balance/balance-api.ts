import { idParams, type ApiRoute } from 'tessera/core';
import type { Request } from 'express';
import { LOYALTY_PERMISSIONS as P } from '../api';
import { balancesOutstanding, cashbackPerMonth } from './balance-reports';
import type { BalanceService } from './balance-service';

const LINE = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: ['recharge', 'bonus', 'payment', 'payment_reversed', 'cashback', 'cashback_reversed', 'refund', 'adjustment'] },
    amount: { type: 'integer' },
    balance_after: { type: 'integer' },
    payment_id: { type: ['integer', 'null'] },
    order_id: { type: ['integer', 'null'] },
    invoice_id: { type: ['integer', 'null'] },
    offer_id: { type: ['integer', 'null'] },
    reason: { type: 'string' },
    created_at: { type: ['string', 'null'] },
  },
};
const SUMMARY = {
  type: 'object',
  properties: {
    customer_id: { type: 'integer' },
    currency: { type: 'string' },
    balance: { type: 'integer' },
    credit_limit: { type: 'integer' },
    available: { type: 'integer' },
    ledger: { type: 'array', items: LINE },
  },
};
const ID = { type: 'integer', minimum: 1 };
const AMOUNT = { type: 'integer', minimum: 1, maximum: 100_000_000_000 };

function key(req: Request): string | undefined {
  const value = req.headers['idempotency-key'];
  return typeof value === 'string' && value.trim() ? value.trim().slice(0, 100) : undefined;
}

/** The balance's JSON API, beside the offers' derived one (`/api/v1/loyalty/offers`). */
export function balanceApiRoutes(service: BalanceService): ApiRoute[] {
  return [
    {
      method: 'GET', path: '/customers/{id}/balance', permission: P.balanceRead, params: idParams, response: SUMMARY,
      summary: "A customer's prepaid balance, credit limit and ledger (newest first; balance_after is the running balance).",
      handler: async (ctx, { params }) => service.summaryOfVisible(ctx, Number(params.id)),
    },
    {
      method: 'POST', path: '/recharges', permission: P.balanceRecharge, idempotent: true, status: 201,
      summary: "Recharges a customer's balance through a billing payment (paid at once, or processing until billing confirms it); the best recharge offer adds its bonus when the payment posts. Same reference (or Idempotency-Key), same payment.",
      body: {
        type: 'object', additionalProperties: false, required: ['customer_id', 'amount', 'journal_id', 'method'],
        properties: {
          customer_id: ID, amount: AMOUNT, journal_id: ID,
          method: { type: 'string', enum: ['cash', 'card', 'bank', 'mobile_money', 'online', 'credit'] },
          reference: { type: 'string', minLength: 1, maxLength: 100 },
          status: { type: 'string', enum: ['processing', 'paid'] },
        },
      },
      handler: async (ctx, { body }, req) => service.recharge(ctx, body, key(req)),
    },
    {
      method: 'POST', path: '/balance-payments', permission: P.balanceRecharge, idempotent: true, status: 201,
      summary: 'Pays part or all of a posted invoice or an order from the balance (a billing payment in the LOYALTY journal); refused with 409 when the balance and credit limit do not cover it.',
      body: {
        type: 'object', additionalProperties: false, required: ['customer_id', 'amount'],
        properties: { customer_id: ID, order_id: ID, invoice_id: ID, amount: AMOUNT, reference: { type: 'string', minLength: 1, maxLength: 100 } },
      },
      handler: async (ctx, { body }, req) => service.pay(ctx, body, key(req)),
    },
    {
      method: 'POST', path: '/customers/{id}/balance/adjustments', permission: P.balanceAdjust, params: idParams, idempotent: true, status: 201, response: SUMMARY,
      summary: 'Adjusts a balance by hand (signed amount) with a reason; a debit cannot take the balance below minus the credit limit.',
      body: { type: 'object', additionalProperties: false, required: ['amount', 'reason'], properties: { amount: { type: 'integer', minimum: -100_000_000_000, maximum: 100_000_000_000 }, reason: { type: 'string', minLength: 1, maxLength: 255 } } },
      handler: async (ctx, { params, body }, req) => service.adjust(ctx, Number(params.id), body.amount, body.reason, key(req)),
    },
    {
      method: 'PUT', path: '/customers/{id}/balance/credit-limit', permission: P.balanceAdjust, params: idParams, response: SUMMARY,
      summary: 'Sets how far below zero the balance may go (0: never).',
      body: { type: 'object', additionalProperties: false, required: ['credit_limit'], properties: { credit_limit: { type: 'integer', minimum: 0, maximum: 100_000_000_000 } } },
      handler: async (ctx, { params, body }) => service.setCreditLimit(ctx, Number(params.id), body.credit_limit),
    },
    {
      method: 'GET', path: '/reports/balances-outstanding', permission: P.balanceRead,
      summary: 'Balances outstanding: the liability (positive balances), what overdrawn customers owe, and the largest balances.',
      handler: async (ctx) => balancesOutstanding(ctx.db, ctx.companyId),
    },
    {
      method: 'GET', path: '/reports/cashback-per-month', permission: P.balanceRead,
      summary: 'Cashback credited, taken back and net per month.',
      handler: async (ctx) => ({ data: await cashbackPerMonth(ctx.db, ctx.companyId) }),
    },
  ];
}
