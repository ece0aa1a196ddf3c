import type { RequestContext, ScopedDb } from 'tessera/core';
import type { Caller } from '../api';

/** The scoped data access of a caller: the handler's transaction, or the request's (not yet in one). */
export function dbOf(caller: Caller): ScopedDb {
  return isContext(caller) ? caller.db : caller;
}

export function isContext(caller: Caller): caller is RequestContext {
  return 'container' in caller && 'db' in caller;
}

const RETRIES = 4;

/**
 * Runs `work` in one transaction: the caller's when it is already in one (an event handler), else a
 * new one, retried when MariaDB picks it as a deadlock victim (nothing of it was kept).
 */
export async function inTransaction<T>(caller: Caller, work: (db: ScopedDb) => Promise<T>): Promise<T> {
  const db = dbOf(caller);
  if (db.isInTransaction) return work(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      if (attempt >= RETRIES || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
    }
  }
}

export function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string; errno?: number })?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}

/** A locking read where the database has row locks (SQLite serializes writers anyway). */
export function locking<Q extends { forUpdate(): Q }>(db: ScopedDb, query: Q): Q {
  return db.client === 'better-sqlite3' ? query : query.forUpdate();
}

export interface CompanyFacts {
  currency: string;
  timezone: string;
  name: string;
}

const companies = new Map<number, CompanyFacts>();

/** The company's currency, time zone and name (read once per process; they rarely change). */
export async function companyFacts(db: ScopedDb, companyId = db.principal.companyId): Promise<CompanyFacts> {
  const known = companies.get(companyId);
  if (known) return known;
  const row = await db.unscoped('the company row of a business company the caller may see').table('core_companies').where({ id: companyId }).first('currency', 'timezone', 'name');
  const facts = { currency: String(row?.currency ?? 'EUR'), timezone: String(row?.timezone ?? 'UTC'), name: String(row?.name ?? '') };
  companies.set(companyId, facts);
  return facts;
}

/** The calendar day `YYYY-MM-DD` it is (or was at `instant`) in the time zone: business dates are the company's days. */
export function calendarDay(timeZone: string, instant: Date = new Date()): string {
  // Making a formatter costs far more than using one: keep one per zone. Using one is not free either
  // (a payment asks twice), so each zone also keeps the last day it gave and the UTC minute it was for.
  let zone = dayFormats.get(timeZone);
  if (!zone) {
    zone = { format: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }), minute: NaN, day: '' };
    dayFormats.set(timeZone, zone);
  }
  const time = instant.getTime();
  // Since 1980 every zone's offset is whole minutes and changes at a whole minute, so a local day
  // begins on a UTC minute: within one UTC minute the day is the same. Earlier instants (offsets in
  // seconds, e.g. Monrovia's -0:44:30 until 1972) are always formatted.
  const minute = time >= SINCE_WHOLE_MINUTE_OFFSETS ? Math.floor(time / 60_000) : NaN;
  if (minute === zone.minute) return zone.day;
  const day = zone.format.format(instant);
  zone.minute = minute;
  zone.day = day;
  return day;
}

const SINCE_WHOLE_MINUTE_OFFSETS = Date.UTC(1980, 0, 1);
const dayFormats = new Map<string, { format: Intl.DateTimeFormat; minute: number; day: string }>();

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function parseJson<T>(text: unknown, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(String(text)) as T;
  } catch {
    return fallback;
  }
}
