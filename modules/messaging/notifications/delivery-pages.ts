import type { PageRoute } from 'tessera/core';
import { MESSAGING_PERMISSIONS as P, NUMBER_SEQUENCE } from '../api';
import { deliveryDetail, deliveryLog } from './delivery-log';

const STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped'];

/** The delivery log (filters, keyset pages), one notification's attempts, and the message counter. */
export function deliveryPageRoutes(): PageRoute[] {
  return [
    {
      method: 'GET',
      path: '/messaging/deliveries',
      permission: P.logRead,
      handler: async (ctx, { query }) => {
        const customerId = /^\d+$/.test(String(query.customer_id ?? '')) ? Number(query.customer_id) : undefined;
        const status = STATUSES.includes(String(query.status)) ? String(query.status) : undefined;
        const after = /^\d+$/.test(String(query.after ?? '')) ? String(query.after) : null;
        const page = await deliveryLog(ctx, { customer_id: customerId, status, after });
        return {
          view: 'messaging/deliveries',
          title: 'Delivery log',
          data: { ...page, filter: { customer_id: customerId ?? '', status }, statuses: STATUSES.map((s) => ({ value: s, selected: s === status })) },
        };
      },
    },
    {
      method: 'GET',
      path: '/messaging/deliveries/:id',
      permission: P.logRead,
      handler: async (ctx, { params }) => {
        const entry = await deliveryDetail(ctx, Number(params.id));
        return { view: 'messaging/delivery', title: `Notification ${entry.id}`, data: { entry } };
      },
    },
    {
      method: 'GET',
      path: '/messaging/counter',
      permission: 'core.settings.manage',
      handler: async (ctx) => ({ view: 'messaging/counter', title: 'Message number', data: { last: await ctx.db.lastNumber(NUMBER_SEQUENCE) } }),
    },
    {
      method: 'POST',
      path: '/messaging/counter',
      permission: 'core.settings.manage',
      handler: async (ctx, { body }) => {
        const wanted = Number(body.last_number);
        if (!Number.isSafeInteger(wanted) || wanted < 0) return { view: 'messaging/counter', title: 'Message number', status: 422, data: { last: await ctx.db.lastNumber(NUMBER_SEQUENCE), error: 'must be a whole number' } };
        const before = await ctx.db.lastNumber(NUMBER_SEQUENCE);
        const last = await ctx.db.raiseNumber(NUMBER_SEQUENCE, wanted);
        return { redirect: '/messaging/counter', flash: last === before && wanted < before ? { type: 'error', message: `The counter is at ${before} and is never lowered.` } : { type: 'success', message: `Next message or appointment: ${last + 1}.` } };
      },
    },
  ];
}
