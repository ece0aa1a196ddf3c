import { ValidationError, type RequestContext } from 'tessera/core';
import type { CalendarDay } from '../api';
import { addDays, messagingSettings } from '../settings';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const MAX_CALENDAR_DAYS = 62;

/**
 * Per day of [from, to]: how many events count, the maximum and whether the day is FULL (count ≥ max,
 * max 0 meaning no limit). Company and representative counts are read from the day-count rows the
 * bookings keep (a few rows, whatever the number of appointments); a shop's are counted from its
 * appointments on the (company, shop, day) index.
 */
export async function calendarDays(ctx: RequestContext, query: { from: string; to: string; representativeId?: number; shopId?: number }): Promise<CalendarDay[]> {
  const { from, to } = query;
  const errors: Record<string, string> = {};
  if (!DAY.test(from ?? '')) errors.from = 'must be a day, YYYY-MM-DD';
  if (!DAY.test(to ?? '')) errors.to = 'must be a day, YYYY-MM-DD';
  if (!errors.from && !errors.to && (to < from || daysBetween(from, to) > MAX_CALENDAR_DAYS)) errors.to = `must be on or after from, at most ${MAX_CALENDAR_DAYS} days later`;
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const settings = await messagingSettings(ctx.db);
  const rep = query.representativeId ? Number(query.representativeId) : 0;
  const max = rep ? settings.max_events_per_representative : settings.max_events_per_day;
  const byDay = new Map<string, number>();
  if (query.shopId) {
    const rows = await ctx.db
      .queryCompany(ctx.companyId, 'messaging_appointments')
      .where({ shop_id: Number(query.shopId) })
      .modify((q) => (rep ? q.where({ representative_id: rep }) : q))
      .whereBetween('day', [from, to])
      .whereNot('status', 'cancelled')
      .groupBy('day')
      .select('day')
      .count({ n: '*' });
    for (const r of rows as Array<{ day: unknown; n: unknown }>) byDay.set(dayText(r.day), Number(r.n));
  } else {
    const rows = await ctx.db.queryCompany(ctx.companyId, 'messaging_day_counts').where({ representative_id: rep }).whereBetween('day', [from, to]).select('day', 'count');
    for (const r of rows as Array<{ day: string; count: unknown }>) byDay.set(String(r.day), Number(r.count));
  }
  const days: CalendarDay[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const count = byDay.get(day) ?? 0;
    days.push({ day, count, max, full: max > 0 && count >= max });
  }
  return days;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

function dayText(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}
