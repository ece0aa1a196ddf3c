import { idParams, type ApiRoute } from 'tessera/core';
import { BILLING_PERMISSIONS } from '../../billing/api';
import { LOYALTY_PERMISSIONS as P } from '../api';
import type { PointsService } from './points-service';
import { SETTINGS_SCHEMA } from './points-settings';
import { liabilityReport } from './points-report';

const LINE = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    customer_id: { type: 'integer' },
    kind: { type: 'string', enum: ['earned', 'spent', 'reversed', 'adjusted', 'expired'] },
    points: { type: 'integer' },
    amount: { type: 'integer' },
    document_kind: { type: ['string', 'null'] },
    document_id: { type: ['integer', 'null'] },
    source_key: { type: 'string' },
    reason: { type: 'string' },
    created_at: { type: ['string', 'null'] },
    created_by: { type: ['integer', 'null'] },
    balance: { type: 'integer' },
  },
};

const STATEMENT = {
  type: 'object',
  properties: {
    customer_id: { type: 'integer' },
    balance: { type: 'integer' },
    value: { type: 'integer' },
    card_number: { type: ['string', 'null'] },
    ledger: { type: 'array', items: LINE },
  },
};

/** The points JSON API under /api/v1/loyalty (in the OpenAPI document). */
export function pointsApiRoutes(points: PointsService): ApiRoute[] {
  return [
    {
      method: 'GET',
      path: '/settings',
      permission: P.pointsRead,
      summary: "The company's loyalty settings: `points` (active, mandatory card, acquisition ratio, mode, tranche or point value, points product, expiry).",
      handler: async (ctx) => ({ points: await points.settings(ctx) }),
    },
    {
      method: 'PUT',
      path: '/settings',
      permission: P.settingsManage,
      summary: "Changes the company's loyalty settings; a points product that billing does not have is refused with its code named (422, `product_code`).",
      body: { type: 'object', additionalProperties: false, properties: { points: SETTINGS_SCHEMA } },
      handler: async (ctx, { body }) => ({ points: body.points ? await points.saveSettings(ctx, body.points) : await points.settings(ctx) }),
    },
    {
      method: 'GET',
      path: '/customers/{id}/points',
      permission: P.pointsRead,
      summary: "A customer's points: balance (the ledger's sum), its value, card number and ledger with running balance (latest 500 lines, oldest first).",
      params: idParams,
      response: STATEMENT,
      handler: async (ctx, { params }) => points.statement(ctx, Number(params.id)),
    },
    {
      method: 'POST',
      path: '/customers/{id}/points/adjustments',
      permission: P.pointsAdjust,
      summary: "Adjusts a customer's points by hand with a reason (audited); a removal cannot take the balance below zero. Honours Idempotency-Key.",
      params: idParams,
      body: { type: 'object', required: ['points', 'reason'], additionalProperties: false, properties: { points: { type: 'integer', not: { const: 0 } }, reason: { type: 'string', minLength: 1, maxLength: 255 } } },
      response: STATEMENT,
      status: 201,
      idempotent: true,
      handler: async (ctx, { params, body }) => points.adjust(ctx, Number(params.id), body.points, body.reason),
    },
    {
      method: 'PUT',
      path: '/customers/{id}/points/card',
      permission: P.pointsAdjust,
      summary: "Sets (or, with null, removes) the customer's loyalty card number, unique in the company.",
      params: idParams,
      body: { type: 'object', required: ['card_number'], additionalProperties: false, properties: { card_number: { type: ['string', 'null'], maxLength: 64 } } },
      response: STATEMENT,
      handler: async (ctx, { params, body }) => points.setCard(ctx, Number(params.id), body.card_number),
    },
    {
      method: 'POST',
      path: '/redemptions',
      permission: P.pointsRedeem,
      summary: 'Spends the customer\'s points on a draft invoice or order (`invoice_id` or `order_id`) as a negative line of the points product: by tranche `t = min(floor(balance / P), floor(total / V))`, or by direct value capped by the total. Once per document (again: the first answer, 200).',
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { invoice_id: { type: 'integer', minimum: 1 }, order_id: { type: 'integer', minimum: 1 }, points: { type: 'integer', minimum: 1 } },
      },
      handler: async (ctx, { body }, _req, res) => {
        ctx.require(body.order_id ? BILLING_PERMISSIONS.orderWrite : BILLING_PERMISSIONS.invoiceWrite);
        const result = await points.redeem(ctx, body);
        if (result.created) res.status(201);
        return result;
      },
    },
    {
      method: 'GET',
      path: '/reports/points-liability',
      permission: P.pointsRead,
      summary: 'Points outstanding (sum of positive balances) × the value of a point, and points earned / spent / reversed / adjusted / expired per month over the last 12 months.',
      handler: async (ctx) => liabilityReport(ctx),
    },
  ];
}
