import { idSchema } from 'tessera/core';
import type { ApiRoute, PageRoute, ScopedDb } from 'tessera/core';
import { LOYALTY_PERMISSIONS as P } from '../../api';

const DELIVERIES = 'loyalty_card_webhook_deliveries';

export interface DeliveryLine {
  id: number;
  webhook_id: number;
  event_id: number;
  event: string;
  status: string;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: string | null;
  delivered_at: string | null;
}

/** The company's latest deliveries, newest first, optionally of one endpoint. */
export async function deliveryLog(db: ScopedDb, webhookId: number | null, limit = 200): Promise<DeliveryLine[]> {
  const query = db.query(DELIVERIES).orderBy('id', 'desc').limit(limit);
  if (webhookId) query.where({ webhook_id: webhookId });
  const rows = await query.select('id', 'webhook_id', 'event_id', 'event', 'status', 'attempts', 'last_status', 'last_error', 'created_at', 'delivered_at');
  const when = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());
  return rows.map((r: any) => ({
    id: Number(r.id), webhook_id: Number(r.webhook_id), event_id: Number(r.event_id), event: String(r.event), status: String(r.status),
    attempts: Number(r.attempts), last_status: r.last_status == null ? null : Number(r.last_status), last_error: r.last_error ?? null,
    created_at: when(r.created_at), delivered_at: when(r.delivered_at),
  }));
}

export function webhookLogApi(): ApiRoute[] {
  return [{
    method: 'GET', path: '/card-webhooks/{id}/deliveries', permission: P.webhookManage, summary: "An endpoint's deliveries, newest first", tags: ['Card webhooks'],
    params: { type: 'object', required: ['id'], properties: { id: idSchema } },
    handler: async (ctx, { params }) => {
      await ctx.db.getById('loyalty_card_webhooks', Number(params.id), 'Card webhook');
      return { data: await deliveryLog(ctx.db, Number(params.id)) };
    },
  }];
}

export function webhookLogPage(): PageRoute {
  return {
    method: 'GET', path: '/loyalty/card-webhook-deliveries', permission: P.webhookManage,
    handler: async (ctx, { query }) => {
      const webhookId = Number(query.webhook_id) > 0 ? Number(query.webhook_id) : null;
      return { view: 'loyalty/webhook-deliveries', title: 'Webhook deliveries', data: { deliveries: await deliveryLog(ctx.db, webhookId), webhookId } };
    },
  };
}
