import type { RequestContext } from 'tessera/core';
import { MESSAGING, MESSAGING_PERMISSIONS as P, type AppointmentService, type CalendarDay } from '../api';
import { addDays, companyTimeZone, dayIn } from '../settings';
import { findCustomer } from '../crm/customers';

export type CalendarMode = 'month' | 'week' | 'day';
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface CalendarQuery {
  mode: CalendarMode;
  date: string;
  representativeId?: number;
  shopId?: number;
}

/** Monday of the week holding `day`. */
export function mondayOf(day: string): string {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addDays(day, -weekday);
}

/** Everything the calendar page shows: the grid of days with counts and FULL, the appointments of the week or day. */
export async function calendarView(ctx: RequestContext, query: CalendarQuery): Promise<Record<string, unknown>> {
  const service = ctx.container.get<AppointmentService>(MESSAGING.Appointments);
  const timeZone = await companyTimeZone(ctx.db);
  const today = dayIn(new Date(), timeZone);
  const { mode, date } = query;
  const from = mode === 'month' ? mondayOf(`${date.slice(0, 8)}01`) : mode === 'week' ? mondayOf(date) : date;
  const to = mode === 'month' ? addDays(from, 41) : mode === 'week' ? addDays(from, 6) : date;
  const days = await service.calendar(ctx, { from, to, representativeId: query.representativeId, shopId: query.shopId });
  const reps = (await ctx.container.get<any>(Symbol.for('messaging.representative')).list(ctx, { filters: { active: true } })) as Array<{ id: number; name: string; code: string }>;
  const repName = new Map(reps.map((r) => [Number(r.id), r.name]));
  const shops = ((await ctx.container.get<any>(Symbol.for('base.ShopService')).list(ctx)) as Array<{ id: number; name: string; company_id: number }>).filter((s) => Number(s.company_id) === ctx.companyId);
  const filter = { representative_id: query.representativeId ?? '', shop_id: query.shopId ?? '' };
  const link = (m: CalendarMode, d: string) => `/messaging/calendar?${new URLSearchParams({ view: m, date: d, ...(query.representativeId ? { representative_id: String(query.representativeId) } : {}), ...(query.shopId ? { shop_id: String(query.shopId) } : {}) })}`;
  const appointments = mode === 'month' ? [] : await appointmentsBetween(ctx, from, to, query, repName, timeZone);
  const cell = (d: CalendarDay) => ({
    ...d,
    number: Number(d.day.slice(8, 10)),
    weekday: WEEKDAYS[(new Date(`${d.day}T00:00:00Z`).getUTCDay() + 6) % 7],
    inMonth: d.day.slice(0, 7) === date.slice(0, 7),
    isToday: d.day === today,
    href: link('day', d.day),
    appointments: appointments.filter((a: { day: string }) => a.day === d.day),
  });
  const step = mode === 'month' ? null : mode === 'week' ? 7 : 1;
  const monthShift = (n: number) => {
    const [y, m] = date.split('-').map(Number);
    const next = new Date(Date.UTC(y, m - 1 + n, 1));
    return next.toISOString().slice(0, 10);
  };
  const perRep = mode === 'day' ? await Promise.all(reps.map(async (r) => ({ ...r, ...(await service.calendar(ctx, { from: date, to: date, representativeId: r.id }))[0] }))) : [];
  return {
    mode,
    date,
    isMonth: mode === 'month',
    isWeek: mode === 'week',
    isDay: mode === 'day',
    heading: mode === 'month' ? `${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}` : mode === 'week' ? `Week of ${from}` : date,
    weekdays: WEEKDAYS,
    weeks: mode === 'month' ? chunk(days.map(cell), 7) : [],
    days: days.map(cell),
    perRep,
    previous: link(mode, step ? addDays(date, -step) : monthShift(-1)),
    next: link(mode, step ? addDays(date, step) : monthShift(1)),
    views: (['month', 'week', 'day'] as CalendarMode[]).map((m) => ({ mode: m, label: m[0].toUpperCase() + m.slice(1), href: link(m, date), current: m === mode })),
    reps: reps.map((r) => ({ ...r, selected: r.id === query.representativeId })),
    shops: shops.map((s) => ({ id: s.id, name: s.name, selected: s.id === query.shopId })),
    filter,
    canBook: ctx.can(P.appointmentWrite),
    canOverbook: ctx.can(P.overbook),
    bookDay: mode === 'month' ? today : mode === 'week' ? (date >= from && date <= to ? date : from) : date,
  };
}

async function appointmentsBetween(ctx: RequestContext, from: string, to: string, query: CalendarQuery, repName: Map<number, string>, timeZone: string): Promise<Array<Record<string, unknown> & { day: string }>> {
  const rows = await ctx.db
    .queryCompany(ctx.companyId, 'messaging_appointments')
    .whereBetween('day', [from, to])
    .modify((q) => {
      if (query.representativeId) q.where({ representative_id: query.representativeId });
      if (query.shopId) q.where({ shop_id: query.shopId });
    })
    .orderBy('starts_at')
    .limit(500)
    .select('id', 'number', 'customer_id', 'representative_id', 'starts_at', 'ends_at', 'day', 'status', 'overbooked', 'place');
  const names = new Map<number, string>();
  for (const id of new Set<number>(rows.map((r: any) => Number(r.customer_id)))) {
    const c = await findCustomer(ctx, id);
    names.set(id, c ? `${c.first_name} ${c.last_name}`.trim() : `#${id}`);
  }
  const time = (v: unknown) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' }).format(new Date(v as string));
  return rows.map((r: any) => ({
    id: Number(r.id),
    number: Number(r.number),
    day: typeof r.day === 'string' ? r.day.slice(0, 10) : new Date(r.day).toISOString().slice(0, 10),
    time: `${time(r.starts_at)}–${time(r.ends_at)}`,
    customer: names.get(Number(r.customer_id)),
    customer_id: Number(r.customer_id),
    representative: repName.get(Number(r.representative_id)) ?? `#${r.representative_id}`,
    status: r.status,
    cancelled: r.status === 'cancelled',
    overbooked: Boolean(Number(r.overbooked)),
    place: r.place,
  }));
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
