import type { Container } from 'inversify';
import { CORE, type ScopedDb } from 'tessera/core';
import { STALE_CLAIM_MS } from './delivery-job';

const TABLE = 'messaging_notifications';
const DELIVER_JOB = 'messaging.deliver';
/**
 * A queued notification untouched for this long has lost its job: every job of one runs within seconds
 * (a retry's back-off is at most 16 s), unless the job failed for good (a claim that kept failing) or
 * a backlog is this deep. In a backlog the sweep's job is one more: whichever runs second finds the
 * notification taken in its one update.
 */
export const STRANDED_MS = 15 * 60_000;

interface Contexts {
  system(companyIds: number[]): { db: ScopedDb };
}

/**
 * Notifications nothing would send any more, each given a job of its own, keyed by its attempts so a
 * sweep that runs twice enqueues one (and a key whose job failed for good is queued again):
 * - `sending` ones a process claimed and never finished (it died while sending): their own jobs may
 *   have completed already (a job took them along), so nothing else would run them again; the
 *   delivery claims a claim this old again;
 * - `queued` ones left without a job: a delivery job that failed for good before its claim leaves
 *   its notifications queued.
 */
export async function sweepStaleClaims(container: Container, now: Date): Promise<number> {
  const knex = container.get<import('knex').Knex>(CORE.Knex);
  // Company by company, so each read is a range of the (company_id, status, id) index: by status alone
  // it would scan every notification ever sent, every five minutes. The companies come from that
  // index's first column (a loose index scan on MariaDB).
  const companies = (await knex(TABLE).distinct('company_id')).map((r: { company_id: number | string }) => Number(r.company_id));
  let requeued = 0;
  for (const companyId of companies) {
    const mine = () => knex(TABLE).where({ company_id: companyId });
    const stale = await mine().where({ status: 'sending' }).andWhere('claimed_at', '<', new Date(now.getTime() - STALE_CLAIM_MS)).orderBy('id').limit(500).select('id', 'attempts');
    const stranded = await mine().where({ status: 'queued' }).andWhere('updated_at', '<', new Date(now.getTime() - STRANDED_MS)).orderBy('id').limit(500).select('id', 'attempts');
    if (!stale.length && !stranded.length) continue;
    const { db } = container.get<Contexts>(CORE.Contexts).system([companyId]);
    for (const [rows, why] of [[stale, 'stale'], [stranded, 'stranded']] as const) {
      for (const row of rows) await db.enqueue(DELIVER_JOB, { notification_id: Number(row.id) }, { jobKey: `${DELIVER_JOB}:${row.id}:${why}:${row.attempts}`, companyId });
      requeued += rows.length;
    }
  }
  return requeued;
}
