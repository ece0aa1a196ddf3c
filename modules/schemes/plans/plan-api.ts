import { idParams, type ApiRoute } from 'tessera/core';
import { SCHEMES_PERMISSIONS } from '../api';
import type { Ports } from '../billing/billing-ports';
import { previewPayment } from '../bundles/bundle-preview';
import type { PlanService } from './plan-service';

const EVENT = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    kind: { type: 'string', enum: ['payment', 'bonus', 'payment_reversed', 'bonus_reversed', 'completed'] },
    payment_id: { type: ['integer', 'null'] },
    bundle_id: { type: ['integer', 'null'] },
    credit_note_id: { type: ['integer', 'null'] },
    amount: { type: 'integer' },
    days: { type: 'integer' },
    expiry_before: { type: ['string', 'null'] },
    expiry_after: { type: ['string', 'null'] },
    detail: { type: 'string' },
    created_at: { type: ['string', 'null'] },
  },
};

const CODE = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    plan_id: { type: 'integer' },
    payment_id: { type: ['integer', 'null'] },
    kind: { type: 'string', enum: ['payment', 'bonus', 'unlock'] },
    part: { type: 'integer' },
    count: { type: 'integer' },
    token: { type: 'string', pattern: '^[0-9]{9}$' },
    days: { type: 'integer' },
    created_at: { type: ['string', 'null'] },
  },
};

/** What the derived entity API does not say: a plan's ledger and schedule, and the bundle preview. */
export function planApiRoutes(plans: PlanService, ports: Ports): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/pay-plans/{id}/events',
      permission: SCHEMES_PERMISSIONS.planRead,
      summary: "A pay plan's ledger: payments applied, days bought, bonuses, reversals and expiry changes, oldest first.",
      params: idParams,
      response: { type: 'object', properties: { data: { type: 'array', items: EVENT } } },
      handler: async (ctx, { params }) => ({ data: await plans.events(ctx, Number(params.id)) }),
    },
    {
      method: 'GET',
      path: '/pay-plans/{id}/codes',
      permission: SCHEMES_PERMISSIONS.planRead,
      summary: "A code-based device's OpenPAYGO activation codes, oldest first: the payment or bonus that earned each, its days, its count (never reused) and the 9-digit code; `unlock` is the code of a paid-off plan.",
      params: idParams,
      response: { type: 'object', properties: { data: { type: 'array', items: CODE } } },
      handler: async (ctx, { params }) => ({ data: await plans.codes(ctx, Number(params.id)) }),
    },
    {
      method: 'GET',
      path: '/pay-plans/{id}/schedule',
      permission: SCHEMES_PERMISSIONS.planRead,
      summary: "A pay plan's schedule: the deposit, then each instalment (the last takes the remainder), with its invoice once issued.",
      params: idParams,
      handler: async (ctx, { params }) => ({ data: await plans.schedule(ctx, Number(params.id)) }),
    },
    {
      method: 'POST',
      path: '/bundles/preview',
      permission: SCHEMES_PERMISSIONS.bundleRead,
      summary: 'What a payment of this amount by this customer in this journal would do today: days bought, the bundle earned, and why the others do not apply. Writes nothing.',
      body: {
        type: 'object',
        required: ['customer_id', 'amount', 'journal_id'],
        additionalProperties: false,
        properties: {
          customer_id: { type: 'integer', minimum: 1 },
          amount: { type: 'integer', minimum: 1 },
          journal_id: { type: 'integer', minimum: 1 },
          pay_plan_id: { type: 'integer', minimum: 1 },
        },
      },
      handler: async (ctx, { body }) => previewPayment(ports, ctx, body),
    },
  ];
}
