/**
 * The calendar of a gold plan, pure: months (`YYYY-MM`), each month's payment window on the company's
 * calendar, which months are due (pauses skipped, one more month per missed one), maturity and the
 * redemption window. Instants become company days with `localDay`, so "on time" is judged where the
 * company works: 23:30 local on the last day of the window is on time whatever UTC says.
 */

export type Month = string;
export type Day = string;

/** A pause of `months` months starting at `from`: those months are neither due nor missed. */
export interface Pause {
  from: Month;
  months: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: unknown): value is Month {
  return typeof value === 'string' && MONTH.test(value);
}

/** `m` plus `n` months (n may be negative). */
export function addMonths(m: Month, n: number): Month {
  const [y, mm] = m.split('-').map(Number);
  const index = y * 12 + (mm - 1) + n;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** How many months from `a` to `b` (negative when b is before a). */
export function monthsBetween(a: Month, b: Month): number {
  const [ya, ma] = a.split('-').map(Number);
  const [yb, mb] = b.split('-').map(Number);
  return yb * 12 + mb - (ya * 12 + ma);
}

export function daysInMonth(m: Month): number {
  const [y, mm] = m.split('-').map(Number);
  return new Date(Date.UTC(y, mm, 0)).getUTCDate();
}

export function addDaysTo(day: Day, n: number): Day {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

const formats = new Map<string, Intl.DateTimeFormat>();
/** The company-calendar day of an instant in `timeZone`. */
export function localDay(instant: Date, timeZone: string): Day {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(timeZone, format);
  }
  const p: Record<string, string> = {};
  for (const part of format.formatToParts(instant)) if (part.type !== 'literal') p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day}`;
}

/** The window's first and last day in month `m`; a window day past the month's end is its last day (31 → 30 April). */
export function windowOf(m: Month, startDay: number, endDay: number): { first: Day; last: Day } {
  const length = daysInMonth(m);
  const day = (d: number) => `${m}-${String(Math.min(d, length)).padStart(2, '0')}`;
  return { first: day(startDay), last: day(endDay) };
}

/** Paid inside month `m`'s window, on the company's calendar. */
export function isOnTime(paidAt: Date, m: Month, window: { startDay: number; endDay: number }, timeZone: string): boolean {
  const day = localDay(paidAt, timeZone);
  const w = windowOf(m, window.startDay, window.endDay);
  return day >= w.first && day <= w.last;
}

export function isPaused(m: Month, pauses: readonly Pause[]): boolean {
  return pauses.some((p) => monthsBetween(p.from, m) >= 0 && monthsBetween(p.from, m) < p.months);
}

/**
 * The plan's due months in order: from the start month, skipping paused months, as many as the
 * instalments plus one per missed month (a missed month extends maturity by one month).
 */
export function dueMonths(plan: { start: Month; instalments: number; missed: number; pauses: readonly Pause[] }): Month[] {
  const wanted = plan.instalments + plan.missed;
  const out: Month[] = [];
  for (let m = plan.start; out.length < wanted; m = addMonths(m, 1)) if (!isPaused(m, plan.pauses)) out.push(m);
  return out;
}

/** Maturity: the first day of the month after the last due month. */
export function maturityOf(due: readonly Month[]): { month: Month; date: Day } {
  const last = due[due.length - 1];
  return { month: last, date: `${addMonths(last, 1)}-01` };
}

/** Redemption from the maturity date to `days` days after it, both included (the day after is refused). */
export function redemptionWindow(maturityDate: Day, days: number): { first: Day; last: Day } {
  return { first: maturityDate, last: addDaysTo(maturityDate, days) };
}

export function redemptionRefusal(today: Day, maturityDate: Day, days: number): string | null {
  const w = redemptionWindow(maturityDate, days);
  if (today < w.first) return `the plan matures on ${w.first}`;
  if (today > w.last) return `the redemption window ended on ${w.last}`;
  return null;
}
