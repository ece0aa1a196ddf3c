import { toDate, ValidationError, type RequestContext } from 'tessera/core';

export interface DeliveryEntry {
  id: number;
  event: string;
  channel: string;
  customer_id: number;
  status: string;
  reason: string | null;
  recipient: string | null;
  subject: string | null;
  attempts: number;
  last_error: string | null;
  created_at: string | null;
  sent_at: string | null;
}

/** The delivery log, newest first, in keyset pages over the id (`after` is the last id seen). */
export async function deliveryLog(ctx: RequestContext, query: { customer_id?: number; status?: string; event?: string; after?: string | null; limit?: number }): Promise<{ data: DeliveryEntry[]; next_cursor: string | null }> {
  const limit = Math.min(Math.max(Number(query.limit ?? 50) || 50, 1), 200);
  if (query.after && !/^\d{1,15}$/.test(String(query.after))) throw new ValidationError({ after: 'is not a cursor of this list' });
  const q = ctx.db.queryCompany(ctx.companyId, 'messaging_notifications').orderBy('id', 'desc').limit(limit + 1);
  if (query.customer_id) q.where({ customer_id: Number(query.customer_id) });
  if (query.status) q.where({ status: query.status });
  if (query.event) q.where({ event: query.event });
  if (query.after) q.where('id', '<', Number(query.after));
  const rows = await q.select('id', 'event', 'channel', 'customer_id', 'status', 'reason', 'recipient', 'subject', 'attempts', 'last_error', 'created_at', 'sent_at');
  const data = rows.slice(0, limit).map(toEntry);
  return { data, next_cursor: rows.length > limit ? String(data[data.length - 1].id) : null };
}

/** One notification with every attempt and what the channel answered. */
export async function deliveryDetail(ctx: RequestContext, id: number): Promise<DeliveryEntry & { body: string | null; log: Array<{ outcome: string; detail: string | null; at: string | null }> }> {
  const row = await ctx.db.queryCompany(ctx.companyId, 'messaging_notifications').where({ id }).first();
  if (!row) throw new ValidationError({ id: `notification ${id} does not exist` });
  const log = await ctx.db.queryCompany(ctx.companyId, 'messaging_delivery_attempts').where({ notification_id: id }).orderBy('id').select('outcome', 'detail', 'at');
  return { ...toEntry(row), body: row.body, log: log.map((l: any) => ({ outcome: l.outcome, detail: l.detail, at: toDate(l.at)?.toISOString() ?? null })) };
}

function toEntry(r: any): DeliveryEntry {
  return {
    id: Number(r.id),
    event: r.event,
    channel: r.channel,
    customer_id: Number(r.customer_id),
    status: r.status,
    reason: r.reason ?? null,
    recipient: r.recipient ?? null,
    subject: r.subject ?? null,
    attempts: Number(r.attempts),
    last_error: r.last_error ?? null,
    created_at: toDate(r.created_at)?.toISOString() ?? null,
    sent_at: toDate(r.sent_at)?.toISOString() ?? null,
  };
}
