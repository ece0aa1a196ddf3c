import { instantOfWallTime } from 'tessera/core';

/**
 * Expiry arithmetic on the company's calendar: a plan's device is on while `expiry > now`. Adding days
 * keeps the wall-clock time in the company's zone (a daylight-saving change does not shift it an hour).
 */
const wallFormats = new Map<string, Intl.DateTimeFormat>();

function wallFormat(timeZone: string): Intl.DateTimeFormat {
  let format = wallFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    wallFormats.set(timeZone, format);
  }
  return format;
}

/** The wall clock of `instant` in `timeZone`: `YYYY-MM-DD` and `HH:mm:ss`. */
export function wallClock(instant: Date, timeZone: string): { day: string; time: string } {
  const p: Record<string, string> = {};
  for (const part of wallFormat(timeZone).formatToParts(instant)) if (part.type !== 'literal') p[part.type] = part.value;
  return { day: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}` };
}

/** The company-calendar day of an instant. */
export function dayOf(instant: Date, timeZone: string): string {
  return wallClock(instant, timeZone).day;
}

/** `day` plus `n` calendar days (n may be negative). */
export function addCalendarDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/** The instant `n` calendar days after `instant`, at the same wall-clock time in `timeZone`. */
export function addDays(instant: Date, n: number, timeZone: string): Date {
  if (n === 0) return new Date(instant.getTime());
  const { day, time } = wallClock(instant, timeZone);
  const moved = instantOfWallTime(`${addCalendarDays(day, n)}T${time}`, timeZone);
  // Seconds below the minute are kept by the parser; milliseconds are carried over by hand.
  return new Date((moved as Date).getTime() + (instant.getTime() % 1000));
}

/** expiry = max(expiry, paidAt) + days: days bought while switched off start from the payment. */
export function extendExpiry(expiry: Date, paidAt: Date, days: number, timeZone: string): Date {
  const from = expiry.getTime() > paidAt.getTime() ? expiry : paidAt;
  return addDays(from, days, timeZone);
}
