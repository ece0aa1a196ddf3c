/**
 * Business dates are calendar days in the company's time zone. These turn such a day into the
 * instants that bound it, so a filter "created on 2026-03-01" means that day where the company works.
 */
const formats = new Map<string, Intl.DateTimeFormat>();

function partsFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formats.set(timeZone, format);
  }
  return format;
}

/** How far the zone's wall clock is ahead of UTC at that instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of partsFormat(timeZone).formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The instant the day `YYYY-MM-DD` begins in `timeZone` (daylight-saving changes included). */
export function startOfDay(day: string, timeZone: string): Date {
  const midnightUtc = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(midnightUtc)) throw new Error(`"${day}" is not a calendar day`);
  const first = midnightUtc - offsetAt(midnightUtc, timeZone);
  return new Date(midnightUtc - offsetAt(first, timeZone));
}

/** The instant the day after `YYYY-MM-DD` begins: the exclusive end of that day. */
export function endOfDay(day: string, timeZone: string): Date {
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return startOfDay(next, timeZone);
}

const WALL_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** The instant a wall-clock time (`YYYY-MM-DDTHH:mm`, a form's datetime-local) names in `timeZone`. */
export function instantOfWallTime(local: string, timeZone: string): Date | null {
  const m = WALL_TIME.exec(local.trim());
  const asUtc = m ? Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}Z`) : NaN;
  if (Number.isNaN(asUtc)) return null;
  const first = asUtc - offsetAt(asUtc, timeZone);
  return new Date(asUtc - offsetAt(first, timeZone));
}

/** Whether the runtime knows `zone` as an IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

// Calendar-day arithmetic on `YYYY-MM-DD` strings: business dates (due days, windows, validity) are days
// of the company's calendar, so they are computed as days, never as instants plus 24 hours.

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (`YYYY-MM-DD`) an instant falls on in `timeZone`. */
export function dayIn(instant: Date | string | number, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(new Date(instant));
}

function dayNumber(day: string): number {
  const time = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : NaN;
  // Date.parse rolls 30 February over into March; a day that does not come back the same is not a day.
  if (Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== day) throw new Error(`"${day}" is not a calendar day`);
  return time / 86_400_000;
}

/** `day` moved by `n` calendar days (negative moves back). */
export function addCalendarDays(day: string, n: number): string {
  return new Date((dayNumber(day) + n) * 86_400_000).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/**
 * `day` moved by `n` months, the day of month kept where the target month has it and clamped to that
 * month's last day where it has not: a month from 31 January is 28 (or 29) February, from 29 February
 * a year on is 28 February.
 */
export function addCalendarMonths(day: string, n: number): string {
  dayNumber(day);
  const [year, month, date] = day.split('-').map(Number);
  const index = year * 12 + (month - 1) + n;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12;
  const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
  return `${String(targetYear).padStart(4, '0')}-${String(targetMonth + 1).padStart(2, '0')}-${String(Math.min(date, lastDay)).padStart(2, '0')}`;
}
