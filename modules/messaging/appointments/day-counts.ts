import { ConflictError, ForbiddenError, type RequestContext, type ScopedDb } from 'tessera/core';
import { MESSAGING_PERMISSIONS } from '../api';
import { messagingSettings } from '../settings';

const TABLE = 'messaging_day_counts';
/** The company's total for a day is kept under representative 0. */
export const WHOLE_DAY = 0;

/**
 * The counts the FULL rule is settled on. A booking raises its day's two counts (the company's and
 * the representative's) with guarded updates in its transaction: `count = count + 1 WHERE count < max`.
 * The database serialises concurrent bookings on those rows, so the counts never pass a maximum unless
 * someone allowed to overbook confirmed it.
 */
export async function ensureCountRows(db: ScopedDb, companyId: number, day: string, representativeId: number): Promise<void> {
  const knex = db.unscoped('day count rows are keyed by the company the caller may write into');
  db.assertCompany(companyId);
  const rows = [WHOLE_DAY, representativeId].map((rep) => ({ company_id: companyId, day, representative_id: rep, count: 0 }));
  await knex(TABLE).insert(rows).onConflict(['company_id', 'day', 'representative_id']).ignore();
}

export interface Taken {
  overbooked: boolean;
}

/** Counts one more event on `day` for the representative; refuses past FULL unless an allowed caller confirmed. */
export async function takeSlot(ctx: RequestContext, companyId: number, day: string, representativeId: number, confirm: boolean): Promise<Taken> {
  const settings = await messagingSettings(ctx.db, companyId);
  const limits: Array<[number, number, string]> = [
    [WHOLE_DAY, settings.max_events_per_day, `the day ${day}`],
    [representativeId, settings.max_events_per_representative, `this representative's day ${day}`],
  ];
  let overbooked = false;
  for (const [rep, max, what] of limits) {
    if (await raise(ctx.db, companyId, day, rep, max)) continue;
    // FULL: the count reached the maximum. Only a confirmed overbooking by someone allowed goes past it.
    const count = await countOf(ctx.db, companyId, day, rep);
    if (!confirm) throw new ConflictError(`${capital(what)} is FULL (${count} of ${max}); confirm to overbook`, { confirm_overbook: `${what} is FULL (${count} of ${max})` });
    if (!ctx.can(MESSAGING_PERMISSIONS.overbook)) throw new ForbiddenError(MESSAGING_PERMISSIONS.overbook);
    await counts(ctx.db, companyId, day, rep).increment('count', 1);
    overbooked = true;
  }
  return { overbooked };
}

/** One event fewer on `day` (a cancellation, a move). */
export async function releaseSlot(db: ScopedDb, companyId: number, day: string, representativeId: number): Promise<void> {
  for (const rep of [WHOLE_DAY, representativeId]) await counts(db, companyId, day, rep).where('count', '>', 0).decrement('count', 1);
}

/** True when the count went up: under the maximum, or no maximum. */
async function raise(db: ScopedDb, companyId: number, day: string, rep: number, max: number): Promise<boolean> {
  for (let round = 0; round < 2; round++) {
    const query = counts(db, companyId, day, rep);
    if (max > 0) query.where('count', '<', max);
    if (Number(await query.increment('count', 1)) === 1) return true;
    // A row made before the transaction is the usual case; one asked for inside a caller's transaction
    // may not exist yet.
    if (await counts(db, companyId, day, rep).first('count')) return false;
    await ensureCountRows(db, companyId, day, rep === WHOLE_DAY ? WHOLE_DAY : rep);
  }
  return false;
}

function counts(db: ScopedDb, companyId: number, day: string, rep: number) {
  return db.queryCompany(companyId, TABLE).where({ day, representative_id: rep });
}

async function countOf(db: ScopedDb, companyId: number, day: string, rep: number): Promise<number> {
  return Number((await counts(db, companyId, day, rep).first('count'))?.count ?? 0);
}

function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A deadlock the database broke by refusing one transaction: that transaction may simply run again. */
export function isDeadlock(error: unknown): boolean {
  const e = error as { code?: string; errno?: number } | null;
  return e?.code === 'ER_LOCK_DEADLOCK' || e?.errno === 1213 || e?.code === 'SQLITE_BUSY';
}
