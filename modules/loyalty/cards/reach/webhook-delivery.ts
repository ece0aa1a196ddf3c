import { CORE, isDuplicateKey, type ModuleContext, type RequestContext, type ScopedDb } from 'tessera/core';
import { signDelivery } from './webhook-signature';
import { WEBHOOK_EVENTS } from './webhook-entity';
import { postWebhook } from './webhook-url';

const HOOKS = 'loyalty_card_webhooks';
const DELIVERIES = 'loyalty_card_webhook_deliveries';
export const DELIVER_JOB = 'card-webhook-deliver';
/** Tries of one delivery, spaced by core's job backoff (0.5 s doubling, at most a minute). */
export const MAX_ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;

interface SystemContexts {
  system(companyIds: number[], companyId?: number): RequestContext;
}

/**
 * One delivery row per (endpoint, event), then one job per delivery. The outbox may run the handler
 * twice for one event: the unique key keeps one row, the job key one job.
 */
export async function fanOut(db: ScopedDb, eventId: number, event: { name: string; companyId: number; payload: unknown }): Promise<number> {
  const hooks = await db.queryCompany(event.companyId, HOOKS).where({ active: true }).select('id', 'events');
  let queued = 0;
  for (const hook of hooks) {
    const events = JSON.parse(String(hook.events ?? '[]')) as string[];
    if (!events.includes(event.name)) continue;
    const knex = db.unscoped("a delivery row of an endpoint read above in the event's company");
    let row = await knex(DELIVERIES).where({ webhook_id: hook.id, event_id: eventId }).first('id', 'status');
    if (!row) {
      const body = JSON.stringify({ id: `evt_${eventId}`, event: event.name, company_id: event.companyId, created_at: new Date().toISOString(), data: event.payload });
      try {
        await knex(DELIVERIES).insert({ company_id: event.companyId, webhook_id: hook.id, event_id: eventId, event: event.name, body, status: 'pending', attempts: 0, created_at: new Date() });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      row = await knex(DELIVERIES).where({ webhook_id: hook.id, event_id: eventId }).first('id', 'status');
    }
    if (row.status === 'delivered') continue;
    await db.enqueue(`loyalty.${DELIVER_JOB}`, { delivery_id: Number(row.id) }, { jobKey: `loyalty.${DELIVER_JOB}:${row.id}`, companyId: event.companyId, attempts: MAX_ATTEMPTS });
    queued++;
  }
  return queued;
}

/** Posts one delivery; a refusal or a network error throws, and core's queue tries again later. */
export async function deliver(db: ScopedDb, deliveryId: number): Promise<'delivered' | 'skipped' | 'refused'> {
  const delivery = await db.query(DELIVERIES).where({ id: deliveryId }).first();
  if (!delivery || delivery.status === 'delivered') return 'skipped';
  const hook = await db.query(HOOKS).where({ id: delivery.webhook_id }).first('url', 'secret', 'active');
  const knex = db.unscoped('the delivery row read above in this company');
  if (!hook || !hook.active) {
    await knex(DELIVERIES).where({ id: deliveryId }).whereNot({ status: 'delivered' }).update({ status: 'cancelled', last_error: 'endpoint removed or inactive' });
    return 'skipped';
  }
  const body = String(delivery.body);
  const timestamp = Math.floor(Date.now() / 1000);
  let status: number | null = null;
  let problem: string | null = null;
  let refused = false;
  try {
    status = await postWebhook(String(hook.url), body, {
      timeoutMs: TIMEOUT_MS,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Tessera-Webhooks/1',
        'X-Tessera-Event': String(delivery.event),
        'X-Tessera-Event-Id': `evt_${delivery.event_id}`,
        'X-Tessera-Delivery': String(deliveryId),
        'X-Tessera-Signature': signDelivery(String(hook.secret), timestamp, body),
      },
    });
    if (status < 200 || status >= 300) problem = `answered HTTP ${status}`;
  } catch (error) {
    const message = (error as Error).message;
    // An address the policy refuses (webhook-url.ts) is not tried again: it would be refused again.
    refused = message.startsWith('refused:');
    problem = refused ? message.slice(0, 500) : `could not be reached: ${message}`.slice(0, 500);
  }
  const attempts = Number(delivery.attempts) + 1;
  const done = problem === null;
  await knex(DELIVERIES).where({ id: deliveryId }).whereNot({ status: 'delivered' }).update({
    attempts,
    last_status: status,
    last_error: problem,
    last_attempt_at: new Date(),
    status: done ? 'delivered' : refused || attempts >= MAX_ATTEMPTS ? 'failed' : 'retrying',
    ...(done ? { delivered_at: new Date() } : {}),
  });
  if (refused) return 'refused';
  if (!done) throw new Error(`webhook delivery ${deliveryId} to ${hook.url} ${problem}`);
  return 'delivered';
}

/** Subscribes the fan-out to each card event (through the outbox) and defines the delivery job. */
export function registerWebhookDelivery(m: ModuleContext): void {
  for (const name of WEBHOOK_EVENTS) {
    m.events.on(name, async ({ db, event, eventId }) => {
      // Without an outbox id there is nothing stable to deliver once by; outbox handlers always have one.
      if (eventId == null) return;
      await fanOut(db, eventId, event);
    }, { mode: 'outbox', name: `loyalty.card-webhooks.${name}` });
  }
  m.jobs.define<{ delivery_id: number }>(DELIVER_JOB, async (job) => {
    const companyId = Number(job.companyId);
    const ctx = m.container.get<SystemContexts>(CORE.Contexts).system([companyId], companyId);
    return { outcome: await deliver(ctx.db, Number(job.data.delivery_id)) };
  }, { attempts: MAX_ATTEMPTS });
}
