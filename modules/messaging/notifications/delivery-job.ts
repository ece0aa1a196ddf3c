import crypto from 'node:crypto';
import type { Container } from 'inversify';
import { CORE, deferredWrite, SecretBoxError, type JobContext, type JobQueue, type ScopedDb, type SecretBox } from 'tessera/core';
import { MESSAGING_EVENTS, type Channel } from '../api';
import type { ChannelAdapters, ChannelConfig } from '../channels/channel-adapters';
import { DeliveryError } from '../channels/channel-adapters';

const TABLE = 'messaging_notifications';
/** The job name of `deliveryJob` (messaging's `deliver`), also used for the retry of a notification taken along. */
const DELIVER_RETRY = 'messaging.deliver';
/** Attempts of one notification, the job's own attempts included; then it is failed for good. */
export const MAX_ATTEMPTS = 5;
/** A claim older than this is a process that died while sending: another run may take it over. */
export const STALE_CLAIM_MS = 5 * 60_000;

interface Contexts {
  system(companyIds: number[]): { db: ScopedDb };
}

/** Notifications one job sends at once: its own, and others of the company still waiting for their first try. */
export const DELIVERY_BATCH = 20;

interface Outcome {
  row: any;
  receipt?: { detail: string };
  error?: DeliveryError;
}

/**
 * Sends one notification (`notification_id`), or the notifications notify wrote together
 * (`notification_ids`), and with them others of the company that wait for their first try, up to
 * DELIVERY_BATCH: they go out at once and are recorded in one transaction, instead of one job run, four
 * statements and one transaction each (the queue runs few jobs at a time; the channel answers in
 * parallel). Each claim is a guarded update (queued → sending) stamped with the run's token, and the run
 * reads back only the rows carrying it (those taken along are found by a plain read, then claimed by
 * primary key under the same guard), so a job delivered twice, or the job of a notification another job took along, finds
 * nothing to claim in its one update and sends nothing. A refusal is written to the delivery log with the gateway's
 * answer; the job's own notification is retried by the queue (the job throws), one taken along or of a
 * batch's job by a retry job of its own, with back-off.
 */
export function deliveryJob(container: Container, adapters: ChannelAdapters) {
  return async (job: JobContext<{ notification_id?: number; notification_ids?: number[] }>): Promise<unknown> => {
    const companyId = Number(job.companyId);
    const { db } = container.get<Contexts>(CORE.Contexts).system([companyId]);
    const queue = container.get<JobQueue>(CORE.JobQueue);
    const now = new Date();
    // The job of one notification (notify's in a caller's transaction, a retry, the sweep's), or of a
    // batch notify wrote at once, none of them its own: a batch's refusals each get a retry job.
    // Each run claims under a token of its own and reads back only what it claimed: a run that finds
    // its notifications taken (by an earlier run, or a job that took them along) costs one update.
    const token = crypto.randomUUID();
    const claim = (ids: number[], firstTry: boolean) =>
      db
        .queryCompany(companyId, TABLE)
        .whereIn('id', ids)
        .where(claimable(now, firstTry))
        .update({ status: 'sending', claim_token: token, claimed_at: now, attempts: db.unscoped('increments a counter').raw('attempts + 1'), updated_at: now });
    let ownId: number | null = null;
    let claimed: number[];
    if (job.data.notification_ids) {
      // Its own notifications at their first try, and no others: every batch has a job of its own, and
      // one taken along by another batch's job would only leave that job a run with nothing to do. A
      // claim that keeps failing throws: the queue runs the job again rather than leave the batch without one.
      claimed = job.data.notification_ids.map(Number);
      if (Number(await retried(() => claim(claimed, true), 3)) === 0) return { sent: false, reason: 'not queued (already sent, skipped or being sent)' };
    } else {
      ownId = Number(job.data.notification_id);
      if (Number(await claim([ownId], false)) !== 1) return { sent: false, reason: 'not queued (already sent, skipped or being sent)' };
      // Taking others along is a bonus: if it fails (a deadlock among concurrent claims), its transaction
      // rolled back, they stay queued for their own jobs, and this one goes alone.
      const others = await takeAlong(db, queue, companyId, ownId, now, token).catch(() => [] as number[]);
      claimed = [ownId, ...others];
    }
    const rows = await claimedRows(db, companyId, claimed, token);
    const box = container.get<SecretBox>(CORE.Secrets);
    // Each channel's secret is opened once per batch, not once per message.
    const opened = new Map<string, ChannelConfig>();
    const configOf = (row: any): ChannelConfig => {
      let config = opened.get(row.channel);
      if (!config) opened.set(row.channel, (config = toConfig({ channel: row.channel, endpoint: row.channel_endpoint, port: row.channel_port, username: row.channel_username, sender: row.channel_sender, secret: row.channel_secret }, box)));
      return config;
    };
    const outcomes: Outcome[] = await Promise.all(
      rows.map(async (row: any): Promise<Outcome> => {
        try {
          if (row.channel_id == null) throw new DeliveryError(`no ${row.channel} channel configured`, `no enabled ${row.channel} channel`, false);
          const message = { reference: `n${row.id}-${row.dedupe_key.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120)}`, to: row.recipient, subject: row.subject, body: row.body ?? '' };
          return { row, receipt: await adapters.get(row.channel).send(configOf(row), message) };
        } catch (error) {
          return { row, error: error instanceof DeliveryError ? error : new DeliveryError((error as Error).message, (error as Error).message) };
        }
      }),
    );
    // What the job answers is known before the outcomes are written: it ends in their transaction (one
    // round trip fewer than ending after it). A refusal of its own notification, to be tried again,
    // makes the job throw instead, for the queue to retry it.
    const batch = outcomes.length > 1 ? { batch: outcomes.length } : {};
    const own = ownId === null ? null : outcomes.find((o) => Number(o.row.id) === ownId)!;
    const retry = own?.error && !isFinal(own) ? own.error : null;
    const result = !own ? { sent: outcomes.filter((o) => !o.error).length, ...batch } : !own.error ? { sent: true, ...batch } : { sent: false, reason: own.error.message, ...batch };
    const end = retry || !job.completeWith ? null : (tx: ScopedDb) => job.completeWith!(tx, result);
    // Sent, so recorded at any cost: a deadlock is tried again; what still fails stays `sending` for the
    // sweep (sent again with the same reference, which gateways and mail servers use to drop a repeat).
    await retried(() => record(db, companyId, ownId, outcomes, end), 3);
    if (retry) throw retry;
    return result;
  };
}

/**
 * The notifications this run claimed (those carrying its token), each with its company's enabled
 * channel beside it (null columns when there is none): one read, the channel read with the rows
 * rather than in a statement of its own, only the columns a send and its record need.
 */
function claimedRows(db: ScopedDb, companyId: number, ids: number[], token: string): Promise<any[]> {
  const C = 'messaging_channels';
  return db
    .queryCompany(companyId, TABLE)
    .leftJoin(C, (j) => j.on(`${C}.company_id`, `${TABLE}.company_id`).andOn(`${C}.channel`, `${TABLE}.channel`).andOnVal(`${C}.enabled`, '=', true))
    .whereIn(`${TABLE}.id`, ids)
    .where(`${TABLE}.claim_token`, token)
    .select(
      ...['id', 'customer_id', 'event', 'channel', 'dedupe_key', 'recipient', 'subject', 'body', 'attempts'].map((c) => `${TABLE}.${c}`),
      ...['id', 'endpoint', 'port', 'username', 'sender', 'secret'].map((c) => `${C}.${c} as channel_${c}`),
    );
}

async function retried<T>(work: () => Promise<T>, times: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= times) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

function isFinal(o: Outcome): boolean {
  return Boolean(o.error) && (!o.error!.retryable || Number(o.row.attempts) >= MAX_ATTEMPTS);
}

/**
 * Queued (at its first try only, `firstTry`: a batch's job is no refused one's retry, which waits for
 * its back-off under a job of its own), or claimed so long ago that the process sending it must have died.
 */
function claimable(now: Date, firstTry = false) {
  return (q: import('knex').Knex.QueryBuilder) =>
    q.where((w) => (firstTry ? w.where({ status: 'queued', attempts: 0 }) : w.where('status', 'queued'))).orWhere((s) => s.where('status', 'sending').where('claimed_at', '<', new Date(now.getTime() - STALE_CLAIM_MS)));
}

/**
 * Claims, under the job's token, others of the company never tried yet (a retry waits for its
 * back-off), up to DELIVERY_BATCH with the job's own, and completes their own jobs. The candidates are
 * found by a plain read first: when there are none (a notification alone), that read is all it costs.
 * The claim is then one guarded update by primary key (a row claimed meanwhile by another run no longer
 * matches; the run reads back only the rows carrying its token), with the settling of their jobs, in one
 * transaction at READ COMMITTED on MariaDB: at REPEATABLE READ the locking read of job keys that do not
 * exist locks the gaps of their index, and a sender recording a new job there deadlocks with it.
 * Returns the candidates: those it claimed are the ones carrying the token.
 */
async function takeAlong(db: ScopedDb, queue: JobQueue, companyId: number, ownId: number, now: Date, token: string): Promise<number[]> {
  db.assertCompany(companyId);
  const knex = db.unscoped('the claim is limited to the company just checked') as import('knex').Knex;
  const sqlite = db.client === 'better-sqlite3';
  const others = (await knex(TABLE).where({ company_id: companyId, status: 'queued', attempts: 0 }).whereNot('id', ownId).orderBy('id').limit(DELIVERY_BATCH - 1).pluck('id')).map(Number);
  if (!others.length) return [];
  return knex.transaction(
    async (trx) => {
      // At their first try: attempts + 1 is 1, as for a job's own first claim. Nobody reads the update's
      // count: it rides with the next statement.
      await deferredWrite(trx(TABLE).where({ company_id: companyId, status: 'queued', attempts: 0 }).whereIn('id', others).update({ status: 'sending', claim_token: token, claimed_at: now, attempts: trx.raw('attempts + 1'), updated_at: now }));
      // Their own jobs would find nothing to claim: completed here, they cost the queue one no-op claim
      // each instead of a run. Should this process die while sending, the sweep gives them jobs again.
      // A candidate another run claimed meanwhile is that run's: its own job, if it took it, is running
      // (not settled); another take-along settles it too. (A batch's job is no single notification's:
      // it runs, and its one claim finds them taken.)
      await queue.settle(others.map((n) => `${DELIVER_RETRY}:${n}`), { companyId, trx, result: { sent_in_batch_of: ownId } });
      return others;
    },
    sqlite ? undefined : { isolationLevel: 'read committed' },
  );
}

/**
 * Every outcome of the batch in one transaction: a few grouped updates, one insert into the attempt
 * log. Nobody reads what these writes answer: on MariaDB they ride in one packet with the next
 * statement, the COMMIT at the latest (an error there rolls the transaction back, and it is tried again).
 */
async function record(db: ScopedDb, companyId: number, ownId: number | null, outcomes: Outcome[], end: ((tx: ScopedDb) => Promise<void>) | null): Promise<void> {
  const now = new Date();
  await db.transaction(async (tx) => {
    // The job's own end, deferred too: it rides with the outcomes.
    if (end) await end(tx);
    const sent = outcomes.filter((o) => !o.error);
    if (sent.length) await deferredWrite(tx.queryCompany(companyId, TABLE).whereIn('id', sent.map((o) => o.row.id)).update({ status: 'sent', sent_at: now, last_error: null, updated_at: now }));
    for (const o of outcomes.filter((x) => x.error)) {
      await deferredWrite(tx.queryCompany(companyId, TABLE).where({ id: o.row.id }).update({ status: isFinal(o) ? 'failed' : 'queued', last_error: o.error!.answer.slice(0, 2000), updated_at: now }));
      // One taken along, or one of a batch's job, has no job of its own to run again: its retry is a job of its own.
      if (!isFinal(o) && Number(o.row.id) !== ownId) {
        const attempts = Number(o.row.attempts);
        await tx.enqueue(DELIVER_RETRY, { notification_id: Number(o.row.id) }, { jobKey: `${DELIVER_RETRY}:${o.row.id}:${attempts}`, companyId, delayMs: 2 ** attempts * 1000 });
      }
    }
    const log = outcomes.map((o) => ({ company_id: companyId, notification_id: Number(o.row.id), outcome: o.error ? (isFinal(o) ? 'failed' : 'retry') : 'sent', detail: (o.error ? o.error.answer : o.receipt!.detail).slice(0, 2000), at: now }));
    await deferredWrite(tx.unscoped('the attempt log rows carry the notification\'s company').table('messaging_delivery_attempts').insert(log));
    for (const o of sent) {
      await tx.publish(MESSAGING_EVENTS.notificationDelivered, { notification_id: Number(o.row.id), customer_id: Number(o.row.customer_id), event: o.row.event, channel: o.row.channel as Channel, dedupe_key: o.row.dedupe_key }, companyId);
    }
  });
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
