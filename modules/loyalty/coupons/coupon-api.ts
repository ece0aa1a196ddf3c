import { HANDLED, idParams, ValidationError, type ApiRoute } from 'tessera/core';
import type { Response } from 'express';
import { LOYALTY_PERMISSIONS } from '../api';
import { getBatch, MAX_BATCH, startBatch } from './coupon-batches';
import { CouponRedemptions } from './coupon-redemptions';
import { codesCsv, couponUse } from './coupon-report';
import { calendarDay, companyZone } from './coupon-rules';

const DAY = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

const redemptionSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    coupon_id: { type: 'integer' },
    code: { type: 'string' },
    customer_id: { type: 'integer' },
    document_id: { type: 'integer' },
    document_kind: { type: 'string', enum: ['order', 'invoice'] },
    amount: { type: 'integer', description: 'Discount in minor units' },
    day: { type: 'string' },
    created: { type: 'boolean' },
  },
};

export async function sendCsv(res: Response, filename: string, lines: AsyncIterable<string>): Promise<typeof HANDLED> {
  res.status(200).setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  for await (const line of lines) res.write(line);
  res.end();
  return HANDLED;
}

/** The coupons' hand-written API, beside what the entity layer derives for `/coupons`. */
export function couponApiRoutes(redemptions: CouponRedemptions): ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/coupons/apply',
      permission: LOYALTY_PERMISSIONS.couponApply,
      summary: 'Apply a coupon code to a draft order or invoice (a discount line); 201, or 200 with `created: false` when this coupon is already on the document',
      tags: ['loyalty'],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['code'],
        properties: { code: { type: 'string', minLength: 1, maxLength: 60 }, order_id: { type: 'integer', minimum: 1 }, invoice_id: { type: 'integer', minimum: 1 } },
      },
      response: redemptionSchema,
      handler: async (ctx, { body }, _req, res) => {
        if ((body.order_id === undefined) === (body.invoice_id === undefined)) throw new ValidationError({ [body.order_id === undefined ? 'invoice_id' : 'order_id']: 'give exactly one of order_id and invoice_id' });
        const kind = body.order_id !== undefined ? 'order' : 'invoice';
        const result = await redemptions.apply(ctx, { code: body.code, documentId: Number(body.order_id ?? body.invoice_id), kind });
        if (result.created) res.status(201);
        return result;
      },
    },
    {
      method: 'GET',
      path: '/coupons/report',
      permission: LOYALTY_PERMISSIONS.couponManage,
      summary: 'Coupon use per company day and per coupon (uses, discount in minor units); the last 30 days by default',
      tags: ['loyalty'],
      query: { type: 'object', additionalProperties: false, properties: { from: DAY, to: DAY } },
      handler: async (ctx, { query }) => {
        const today = calendarDay(await companyZone(ctx.db));
        const from = query.from ?? new Date(Date.parse(`${today}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
        const to = query.to ?? today;
        if (to < from) throw new ValidationError({ to: 'must not be before from' });
        return couponUse(ctx, from, to);
      },
    },
    {
      method: 'POST',
      path: '/coupons/{id}/batches',
      permission: LOYALTY_PERMISSIONS.couponManage,
      summary: `Generate single-use codes (1 to ${MAX_BATCH}); up to 1,000 at once (201), more in a job (202) whose progress /coupons/batches/{id} reports`,
      tags: ['loyalty'],
      params: idParams,
      body: { type: 'object', additionalProperties: false, required: ['count'], properties: { count: { type: 'integer', minimum: 1, maximum: MAX_BATCH }, prefix: { type: 'string', maxLength: 8 } } },
      handler: async (ctx, { params, body }, _req, res) => {
        const batch = await startBatch(ctx, params.id, body.count, body.prefix?.toUpperCase());
        res.status(batch.status === 'completed' ? 201 : 202);
        return batch;
      },
    },
    {
      method: 'GET',
      path: '/coupons/batches/{id}',
      permission: LOYALTY_PERMISSIONS.couponManage,
      summary: 'A batch of codes: requested, generated, progress (0..100), status',
      tags: ['loyalty'],
      params: idParams,
      handler: async (ctx, { params }) => getBatch(ctx.db, params.id),
    },
    {
      method: 'GET',
      path: '/coupons/{id}/codes',
      permission: LOYALTY_PERMISSIONS.couponManage,
      summary: "A coupon's codes as CSV (code, coupon, status, redeemed_at, customer_id, document_id); cells that look like formulas are defused",
      tags: ['loyalty'],
      params: idParams,
      handler: async (ctx, { params }, _req, res) => {
        await ctx.db.getById('loyalty_coupons', params.id, 'Coupon'); // another company's coupon is a 404
        return sendCsv(res, `coupon-${params.id}-codes.csv`, codesCsv(ctx.db, params.id));
      },
    },
    {
      method: 'GET',
      path: '/customers/{id}/coupons',
      permission: LOYALTY_PERMISSIONS.couponApply,
      summary: 'The coupons a customer used, newest first (latest 100)',
      tags: ['loyalty'],
      params: idParams,
      handler: async (ctx, { params }) => ({ data: await redemptions.usedBy(ctx, params.id, 100) }),
    },
  ];
}
