import { ValidationError, addCalendarDays, addCalendarMonths, dayIn, endOfDay, startOfDay, toDate, type RequestContext } from 'tessera/core';
import type { GoldPorts } from '../gold-ports';
import { GOLD, calendarOf, planOf } from '../plan-store';
import { isMonth, windowOf } from '../rules/gold-calendar';

/**
 * The gold schemes' reports, read-only and per company, every day and month on the company's calendar
 * (its time zone): due this week, collections per day and scheme, plans maturing next month and the
 * liabilities (money the schemes hold). The missed-payments report is the service's `missedReport`.
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const OPEN = ['active', 'paused', 'matured'];

export interface ReportClock {
  today: string;
  zone: string;
}

export async function clockOf(ports: GoldPorts, ctx: RequestContext, now = new Date()): Promise<ReportClock> {
  const zone = await ports.zone(ctx.db);
  return { today: dayIn(now, zone), zone };
}

async function schemeNames(ctx: RequestContext): Promise<Map<number, { name: string; weight: boolean }>> {
  const rows = (await ctx.db.queryCompany(ctx.companyId, GOLD.schemes).select('id', 'name', 'weight')) as Array<Record<string, unknown>>;
  return new Map(rows.map((r) => [Number(r.id), { name: String(r.name), weight: Boolean(Number(r.weight)) }]));
}

/** Monday of the week holding `day` (ISO weeks: Monday to Sunday). */
export function weekOf(day: string): { from: string; to: string } {
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  const from = addCalendarDays(day, -weekday);
  return { from, to: addCalendarDays(from, 6) };
}

/**
 * Instalments due this week: for each open plan, a due month whose payment window overlaps the
 * company's current week (Monday to Sunday) and that is neither paid, in payment nor flagged missed.
 * Candidate plans are narrowed in SQL (their due months span the week's months), the calendar
 * (pauses, missed months) is the plan's own.
 */
export async function dueThisWeek(ports: GoldPorts, ctx: RequestContext, now = new Date()) {
  const clock = await clockOf(ports, ctx, now);
  const week = weekOf(clock.today);
  const months = [...new Set([week.from.slice(0, 7), week.to.slice(0, 7)])];
  const schemes = (await ctx.db.queryCompany(ctx.companyId, GOLD.schemes).select('id', 'name', 'window_start_day', 'window_end_day')) as Array<Record<string, unknown>>;
  const windows = new Map(schemes.map((s) => [Number(s.id), { name: String(s.name), start: Number(s.window_start_day), end: Number(s.window_end_day) }]));
  const rows = (await ctx.db
    .queryCompany(ctx.companyId, GOLD.plans)
    .whereIn('status', ['active', 'paused'])
    .where('start_month', '<=', months[months.length - 1])
    .where('maturity_month', '>=', months[0])
    .orderBy('id')
    .select('id', 'customer_id', 'scheme_id', 'tier', 'instalment', 'status', 'start_month', 'instalments', 'missed_count', 'pauses', 'maturity_date', 'maturity_month')) as Array<Record<string, unknown>>;
  const candidates: Array<{ plan: ReturnType<typeof planOf>; month: string; window: { first: string; last: string }; scheme: string }> = [];
  for (const r of rows) {
    const plan = planOf(r);
    const w = windows.get(plan.scheme_id);
    if (!w) continue;
    for (const month of calendarOf(plan).due.filter((m) => months.includes(m))) {
      const window = windowOf(month, w.start, w.end);
      if (window.last >= week.from && window.first <= week.to) candidates.push({ plan, month, window, scheme: w.name });
    }
  }
  const done = await settledMonths(ctx, candidates.map((c) => c.plan.id), months);
  const data = candidates
    .filter((c) => !done.has(`${c.plan.id}:${c.month}`))
    .map((c) => ({ plan_id: c.plan.id, customer_id: c.plan.customer_id, scheme_id: c.plan.scheme_id, scheme: c.scheme, tier: c.plan.tier, month: c.month, window_first: c.window.first, window_last: c.window.last, amount: c.plan.instalment }))
    .sort((a, b) => (a.window_last < b.window_last ? -1 : a.window_last > b.window_last ? 1 : a.plan_id - b.plan_id));
  return { from: week.from, to: week.to, count: data.length, total: data.reduce((s, r) => s + r.amount, 0), data };
}

/** Plan months already paid (or in payment) or flagged missed, read in chunks for the candidate plans. */
async function settledMonths(ctx: RequestContext, planIds: number[], months: string[]): Promise<Set<string>> {
  const done = new Set<string>();
  const ids = [...new Set(planIds)];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const paid = (await ctx.db.queryCompany(ctx.companyId, GOLD.payments).whereIn('plan_id', chunk).whereIn('month', months).whereIn('status', ['paid', 'processing']).select('plan_id', 'month')) as Array<Record<string, unknown>>;
    const missed = (await ctx.db.queryCompany(ctx.companyId, GOLD.missed).whereIn('plan_id', chunk).whereIn('month', months).select('plan_id', 'month')) as Array<Record<string, unknown>>;
    for (const r of [...paid, ...missed]) done.add(`${r.plan_id}:${r.month}`);
  }
  return done;
}

/**
 * Paid instalments per company day and scheme between two days (both included; default the company's
 * current month up to today). Processing and failed payments are not collections.
 */
export async function collections(ports: GoldPorts, ctx: RequestContext, q: { from?: string; to?: string }, now = new Date()) {
  const clock = await clockOf(ports, ctx, now);
  for (const f of ['from', 'to'] as const) if (q[f] !== undefined && !DAY.test(String(q[f]))) throw new ValidationError({ [f]: 'must be a day YYYY-MM-DD' });
  const from = q.from ?? `${clock.today.slice(0, 7)}-01`;
  const to = q.to ?? clock.today;
  if (to < from) throw new ValidationError({ to: 'must not be before from' });
  if (addCalendarMonths(from, 13) < to) throw new ValidationError({ to: 'must be within 13 months of from' });
  const rows = (await ctx.db
    .queryCompany(ctx.companyId, GOLD.payments, 'g')
    .join(`${GOLD.plans} as p`, 'p.id', 'g.plan_id')
    .where('g.status', 'paid')
    .where('g.paid_at', '>=', startOfDay(from, clock.zone))
    .where('g.paid_at', '<=', endOfDay(to, clock.zone))
    .select('g.paid_at', 'g.amount', 'g.grams_milli', 'p.scheme_id')) as Array<Record<string, unknown>>;
  const names = await schemeNames(ctx);
  const cells = new Map<string, { day: string; scheme_id: number; scheme: string; count: number; amount: number; grams_milli: number }>();
  for (const r of rows) {
    const day = dayIn(toDate(r.paid_at) as Date, clock.zone);
    const schemeId = Number(r.scheme_id);
    const key = `${day}:${schemeId}`;
    const cell = cells.get(key) ?? { day, scheme_id: schemeId, scheme: names.get(schemeId)?.name ?? `#${schemeId}`, count: 0, amount: 0, grams_milli: 0 };
    cell.count += 1;
    cell.amount += Number(r.amount);
    cell.grams_milli += Number(r.grams_milli);
    cells.set(key, cell);
  }
  const data = [...cells.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.scheme.localeCompare(b.scheme)));
  return { from, to, count: data.reduce((s, r) => s + r.count, 0), total: data.reduce((s, r) => s + r.amount, 0), data };
}

/** Open plans whose maturity date falls in a month (default the company's next month). */
export async function maturing(ports: GoldPorts, ctx: RequestContext, month?: string, now = new Date()) {
  if (month !== undefined && !isMonth(month)) throw new ValidationError({ month: 'must be a month YYYY-MM' });
  const clock = await clockOf(ports, ctx, now);
  const m = month ?? addCalendarMonths(`${clock.today.slice(0, 7)}-01`, 1).slice(0, 7);
  const rows = (await ctx.db
    .queryCompany(ctx.companyId, GOLD.plans)
    .whereIn('status', ['active', 'paused', 'matured'])
    .where('maturity_date', '>=', `${m}-01`)
    .where('maturity_date', '<=', `${m}-31`)
    .orderBy('maturity_date')
    .orderBy('id')
    .select('id', 'customer_id', 'scheme_id', 'tier', 'status', 'paid_count', 'instalments', 'paid_total', 'grams_milli', 'bonus', 'maturity_date')) as Array<Record<string, unknown>>;
  const names = await schemeNames(ctx);
  const data = rows.map((r) => ({
    plan_id: Number(r.id), customer_id: Number(r.customer_id), scheme_id: Number(r.scheme_id), scheme: names.get(Number(r.scheme_id))?.name ?? `#${r.scheme_id}`, tier: String(r.tier), status: String(r.status),
    paid_count: Number(r.paid_count), instalments: Number(r.instalments), paid_total: Number(r.paid_total), grams_milli: Number(r.grams_milli), maturity_date: String(r.maturity_date),
  }));
  return { month: m, count: data.length, total: data.reduce((s, r) => s + r.paid_total, 0), data };
}

/**
 * Money held per scheme, the figure regulators ask: every paid instalment is money in; a plan closed
 * or redeemed has handed its paid total to billing as credit, so it is released. Held = in − released,
 * with the plans still holding money and their grams (weight schemes). One grouped query.
 */
export async function liabilities(ports: GoldPorts, ctx: RequestContext, now = new Date()) {
  const clock = await clockOf(ports, ctx, now);
  const rows = (await ctx.db
    .queryCompany(ctx.companyId, GOLD.plans)
    .groupBy('scheme_id', 'status')
    .select('scheme_id', 'status')
    .count({ plans: '*' })
    .sum({ paid: 'paid_total', grams: 'grams_milli' })) as Array<Record<string, unknown>>;
  const names = await schemeNames(ctx);
  const per = new Map<number, { scheme_id: number; scheme: string; open_plans: number; paid_in: number; released: number; held: number; grams_milli_held: number }>();
  for (const r of rows) {
    const id = Number(r.scheme_id);
    const row = per.get(id) ?? { scheme_id: id, scheme: names.get(id)?.name ?? `#${id}`, open_plans: 0, paid_in: 0, released: 0, held: 0, grams_milli_held: 0 };
    const paid = Number(r.paid ?? 0);
    row.paid_in += paid;
    if (OPEN.includes(String(r.status))) {
      row.open_plans += Number(r.plans);
      row.held += paid;
      row.grams_milli_held += Number(r.grams ?? 0);
    } else row.released += paid;
    per.set(id, row);
  }
  const data = [...per.values()].sort((a, b) => a.scheme.localeCompare(b.scheme));
  return { as_of: clock.today, total_held: data.reduce((s, r) => s + r.held, 0), data };
}
