import { idParams, type ApiRoute, type JsonSchema } from 'tessera/core';
import { CHANNELS, MESSAGING, MESSAGING_PERMISSIONS as P, type Channel, type NotifyService, type OtpService } from '../api';
import type { Catalogue } from './catalogue';
import { optedOut, setConsent } from './consent';
import { deliveryDetail, deliveryLog } from './delivery-log';
import { assertCustomer } from '../crm/customers';
import { previewTemplate } from '../templates/template-preview';

const channel: JsonSchema = { type: 'string', enum: [...CHANNELS] };
const record: JsonSchema = { type: 'object', required: ['id', 'channel', 'status', 'created', 'reason'], properties: { id: { type: 'integer' }, channel, status: { type: 'string' }, created: { type: 'boolean' }, reason: { type: ['string', 'null'] } } };
const otpBody = (extra: Record<string, JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  required: ['customer_id', 'purpose', 'ref', ...Object.keys(extra)],
  additionalProperties: false,
  properties: { customer_id: { type: 'integer', minimum: 1 }, purpose: { type: 'string', minLength: 1, maxLength: 100 }, ref: { type: 'string', minLength: 1, maxLength: 191 }, ...extra },
});

export function notificationApiRoutes(catalogue: Catalogue): ApiRoute[] {
  const notify = (ctx: { container: { get<T>(id: symbol): T } }) => ctx.container.get<NotifyService>(MESSAGING.Notify);
  const otp = (ctx: { container: { get<T>(id: symbol): T } }) => ctx.container.get<OtpService>(MESSAGING.Otp);
  return [
    {
      method: 'GET',
      path: '/deliveries',
      permission: P.logRead,
      summary: 'The delivery log, newest first: queued, sent, failed (with the gateway\'s answer) or skipped (with why)',
      tags: ['Deliveries'],
      query: { type: 'object', additionalProperties: false, properties: { customer_id: { type: 'integer', minimum: 1 }, status: { type: 'string', enum: ['queued', 'sending', 'sent', 'failed', 'skipped'] }, event: { type: 'string', maxLength: 100 }, after: { type: 'string', maxLength: 20 }, limit: { type: 'integer', minimum: 1, maximum: 200 } } },
      handler: async (ctx, { query }) => deliveryLog(ctx, query),
    },
    {
      method: 'GET',
      path: '/deliveries/{id}',
      permission: P.logRead,
      summary: 'One notification with each attempt and what the channel answered',
      tags: ['Deliveries'],
      params: idParams,
      handler: async (ctx, { params }) => deliveryDetail(ctx, Number(params.id)),
    },
    {
      method: 'POST',
      path: '/notify',
      permission: P.notifySend,
      summary: 'Send a customer a notification of the catalogue; the same dedupe_key sends once per channel',
      tags: ['Deliveries'],
      status: 201,
      body: { type: 'object', required: ['template', 'customer_id', 'dedupe_key'], additionalProperties: false, properties: { template: { type: 'string', maxLength: 100 }, customer_id: { type: 'integer', minimum: 1 }, channel, data: { type: 'object' }, dedupe_key: { type: 'string', minLength: 1, maxLength: 150 } } },
      response: { type: 'object', required: ['data'], properties: { data: { type: 'array', items: record } } },
      handler: async (ctx, { body }) => ({ data: await notify(ctx).send(ctx.db, { template: body.template, customerId: body.customer_id, channel: body.channel, data: body.data ?? {}, dedupeKey: body.dedupe_key }) }),
    },
    {
      method: 'GET',
      path: '/catalogue',
      permission: P.templateManage,
      summary: 'The notifications installed modules declare, with their channels and sample data',
      tags: ['Templates'],
      handler: async () => ({ data: catalogue.list().map((d) => ({ key: d.key, module: d.module, label: d.label, channels: d.channels, sample: d.sample, listening: catalogue.listening(d.key) })) }),
    },
    {
      method: 'POST',
      path: '/templates/preview',
      permission: P.templateManage,
      summary: 'Render a template on its notification\'s sample data',
      tags: ['Templates'],
      body: { type: 'object', required: ['event', 'channel', 'body'], additionalProperties: false, properties: { event: { type: 'string', maxLength: 100 }, channel, subject: { type: ['string', 'null'], maxLength: 191 }, body: { type: 'string', maxLength: 50_000 } } },
      handler: async (ctx, { body }) => previewTemplate(ctx, catalogue, body),
    },
    {
      method: 'GET',
      path: '/consent/{id}',
      permission: P.logRead,
      summary: 'A customer\'s consent per channel (false: opted out)',
      tags: ['Consent'],
      params: idParams,
      handler: async (ctx, { params }) => {
        const customer = await assertCustomer(ctx, params.id, ctx.companyId, 'id');
        const out = await optedOut(ctx.db, customer.id);
        return Object.fromEntries(CHANNELS.map((c) => [c, !out.has(c)]));
      },
    },
    {
      method: 'PUT',
      path: '/consent/{id}',
      permission: 'crm.customer.write',
      summary: 'Set a customer\'s consent per channel; honoured by every later notification',
      tags: ['Consent'],
      params: idParams,
      body: { type: 'object', additionalProperties: false, minProperties: 1, properties: Object.fromEntries(CHANNELS.map((c) => [c, { type: 'boolean' }])) },
      handler: async (ctx, { params, body }) => {
        const customer = await assertCustomer(ctx, params.id, ctx.companyId, 'id');
        await ctx.db.transaction(async (db) => {
          for (const [c, allowed] of Object.entries(body as Record<Channel, boolean>)) await setConsent(db, customer.id, c as Channel, allowed);
        });
        const out = await optedOut(ctx.db, customer.id);
        return Object.fromEntries(CHANNELS.map((c) => [c, !out.has(c)]));
      },
    },
    {
      method: 'POST',
      path: '/otp',
      permission: P.notifySend,
      summary: 'Send a customer a one-time code by SMS for a purpose and record',
      tags: ['OTP'],
      status: 201,
      body: otpBody(),
      handler: async (ctx, { body }) => otp(ctx).issue(ctx.db, { customerId: body.customer_id, purpose: body.purpose, ref: body.ref }),
    },
    {
      method: 'POST',
      path: '/otp/verify',
      permission: P.notifySend,
      summary: 'Check a one-time code: ok once, before expiry, within the allowed attempts',
      tags: ['OTP'],
      body: otpBody({ code: { type: 'string', pattern: '^[0-9]{4,8}$' } }),
      handler: async (ctx, { body }) => otp(ctx).verify(ctx.db, { customerId: body.customer_id, purpose: body.purpose, ref: body.ref, code: body.code }),
    },
  ];
}
