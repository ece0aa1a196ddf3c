import type { Container } from 'inversify';
import { CORE, SecretBoxError, type JobContext, type ScopedDb, type SecretBox } from 'tessera/core';
import { MESSAGING_EVENTS, type Channel } from '../api';
import type { ChannelAdapters, ChannelConfig } from '../channels/channel-adapters';
import { DeliveryError } from '../channels/channel-adapters';

const TABLE = 'messaging_notifications';
/** Attempts of one notification, the job's own attempts included; then it is failed for good. */
export const MAX_ATTEMPTS = 5;
/** A claim older than this is a process that died while sending: another run may take it over. */
const STALE_CLAIM_MS = 5 * 60_000;

interface Contexts {
  system(companyIds: number[]): { db: ScopedDb };
}

/**
 * Sends one notification. The claim is a guarded update (queued → sending), so a job delivered twice,
 * or run again after it sent, finds nothing to claim and sends nothing. A refusal is written to the
 * delivery log with the gateway's answer, and the job throws so the queue retries it with back-off.
 */
export function deliveryJob(container: Container, adapters: ChannelAdapters) {
  return async (job: JobContext<{ notification_id: number }>): Promise<unknown> => {
    const companyId = Number(job.companyId);
    const { db } = container.get<Contexts>(CORE.Contexts).system([companyId]);
    const id = Number(job.data.notification_id);
    const now = new Date();
    const claimed = await db
      .queryCompany(companyId, TABLE)
      .where({ id })
      .where((q) => q.where('status', 'queued').orWhere((s) => s.where('status', 'sending').where('claimed_at', '<', new Date(now.getTime() - STALE_CLAIM_MS))))
      .update({ status: 'sending', claimed_at: now, attempts: db.unscoped('increments a counter').raw('attempts + 1'), updated_at: now });
    if (Number(claimed) !== 1) return { sent: false, reason: 'not queued (already sent, skipped or being sent)' };
    // Outside a transaction the two reads take two pool connections and run at once.
    const [row, configs] = await Promise.all([db.queryCompany(companyId, TABLE).where({ id }).first(), db.queryCompany(companyId, 'messaging_channels').where({ enabled: true })]);
    const stored = configs.find((c: any) => c.channel === row.channel);
    try {
      if (!stored) throw new DeliveryError(`no ${row.channel} channel configured`, `no enabled ${row.channel} channel`, false);
      const config = toConfig(stored, container.get<SecretBox>(CORE.Secrets));
      const receipt = await adapters.get(row.channel).send(config, { reference: `n${id}-${row.dedupe_key.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)}`, to: row.recipient, subject: row.subject, body: row.body ?? '' });
      await db.transaction(async (tx) => {
        await tx.queryCompany(companyId, TABLE).where({ id }).update({ status: 'sent', sent_at: new Date(), last_error: null, updated_at: new Date() });
        await logAttempt(tx, companyId, id, 'sent', receipt.detail);
        await tx.publish(MESSAGING_EVENTS.notificationDelivered, { notification_id: id, customer_id: Number(row.customer_id), event: row.event, channel: row.channel as Channel, dedupe_key: row.dedupe_key }, companyId);
      });
      return { sent: true };
    } catch (error) {
      const e = error instanceof DeliveryError ? error : new DeliveryError((error as Error).message, (error as Error).message);
      const final = !e.retryable || Number(row.attempts) >= MAX_ATTEMPTS;
      await db.transaction(async (tx) => {
        await tx.queryCompany(companyId, TABLE).where({ id }).update({ status: final ? 'failed' : 'queued', last_error: e.answer.slice(0, 2000), updated_at: new Date() });
        await logAttempt(tx, companyId, id, final ? 'failed' : 'retry', e.answer);
      });
      if (final) return { sent: false, reason: e.message };
      throw e;
    }
  };
}

async function logAttempt(db: ScopedDb, companyId: number, notificationId: number, outcome: string, detail: string): Promise<void> {
  await db.unscoped('the attempt log rows carry the notification\'s company').table('messaging_delivery_attempts').insert({ company_id: companyId, notification_id: notificationId, outcome, detail: detail.slice(0, 2000), at: new Date() });
}

export async function channelConfig(db: ScopedDb, box: SecretBox, companyId: number, channel: Channel): Promise<ChannelConfig | null> {
  const row = await db.queryCompany(companyId, 'messaging_channels').where({ channel, enabled: true }).first();
  return row ? toConfig(row, box) : null;
}

/** The channel as an adapter reads it, its secret decrypted; a key that cannot open it fails the send for good. */
export function toConfig(row: any, box: SecretBox): ChannelConfig {
  let secret: string | null = null;
  if (row.secret != null) {
    try {
      secret = box.open(row.secret);
    } catch (error) {
      const why = error instanceof SecretBoxError ? error.message : String(error);
      throw new DeliveryError(`the ${row.channel} channel's secret cannot be decrypted`, `secret not readable: ${why} (check TESSERA_SECRET_KEY, or enter the secret again)`, false);
    }
  }
  return { channel: row.channel, endpoint: row.endpoint, port: row.port == null ? null : Number(row.port), username: row.username, sender: row.sender, secret };
}
