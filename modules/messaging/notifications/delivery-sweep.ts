import type { Container } from 'inversify';
import { CORE, type ScopedDb } from 'tessera/core';
import { STALE_CLAIM_MS } from './delivery-job';

const TABLE = 'messaging_notifications';
const DELIVER_JOB = 'messaging.deliver';

interface Contexts {
  system(companyIds: number[]): { db: ScopedDb };
}

/**
 * Notifications a process claimed and never finished (it died while sending): their own jobs may have
 * completed already (a batch took them along), so nothing else would run them again. Each gets a job
 * of its own, keyed by its attempts so a sweep that runs twice enqueues one; the delivery claims a
 * claim this old again.
 */
export async function sweepStaleClaims(container: Container, now: Date): Promise<number> {
  const knex = container.get<import('knex').Knex>(CORE.Knex);
  const stale = await knex(TABLE).where({ status: 'sending' }).andWhere('claimed_at', '<', new Date(now.getTime() - STALE_CLAIM_MS)).orderBy('id').limit(500).select('id', 'company_id', 'attempts');
  for (const row of stale) {
    const { db } = container.get<Contexts>(CORE.Contexts).system([Number(row.company_id)]);
    await db.enqueue(DELIVER_JOB, { notification_id: Number(row.id) }, { jobKey: `${DELIVER_JOB}:${row.id}:stale:${row.attempts}`, companyId: Number(row.company_id) });
  }
  return stale.length;
}
