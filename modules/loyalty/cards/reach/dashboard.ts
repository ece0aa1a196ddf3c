import { addCalendarDays, dayIn, formatAmount, type ModuleContext, type RequestContext, idSchema } from 'tessera/core';
import { CARD_REWARD_ACTIONS, LOYALTY_PERMISSIONS as P } from '../../api';
import { companyToday } from '../card-issue';
import { shopChoices, shopsShown } from '../shop-scope';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Actions that carry the amount a card holder paid (revenue); spends from a card's balance are not new money. */
const PAID = ['purchase', 'stamp'];

export interface DashboardDay {
  day: string;
  issued: number;
  installed: number;
  transactions: number;
  returning: number;
  rewards: number;
  revenue: number;
}

/**
 * The cards' days for one company (and some shops when asked), on the company's calendar: cards issued and
 * installed, transactions, returning customers (a card seen that day that had been seen on an earlier
 * day), rewards given, and what card holders paid. At most 92 days, bucketed in the company's zone.
 */
export async function cardDashboard(ctx: RequestContext, from: string, to: string, shopIds: number[] | null = null): Promise<{ days: DashboardDay[]; totals: Omit<DashboardDay, 'day'> }> {
  const zone = ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.timezone ?? 'UTC';
  const days = new Map<string, DashboardDay>();
  for (let d = from; d <= to; d = addCalendarDays(d, 1)) days.set(d, { day: d, issued: 0, installed: 0, transactions: 0, returning: 0, rewards: 0, revenue: 0 });
  // A day's instants lie within a day either side in UTC: read that band, bucket by the company's day.
  const start = new Date(`${addCalendarDays(from, -1)}T00:00:00Z`);
  const end = new Date(`${addCalendarDays(to, 2)}T00:00:00Z`);
  const bucket = (at: unknown) => days.get(dayIn(new Date(at as string), zone));
  const cards = ctx.db.queryCompany(ctx.companyId, 'loyalty_cards').where((q) => q.whereBetween('created_at', [start, end]).orWhereBetween('installed_at', [start, end])).select('created_at', 'installed_at');
  if (shopIds) cards.whereIn('shop_id', shopIds);
  for (const c of await cards) {
    const issued = c.created_at && new Date(c.created_at) >= start && new Date(c.created_at) < end ? bucket(c.created_at) : undefined;
    if (issued) issued.issued++;
    const installed = c.installed_at ? bucket(c.installed_at) : undefined;
    if (installed) installed.installed++;
  }
  const moves = ctx.db.queryCompany(ctx.companyId, 'loyalty_card_transactions').whereBetween('created_at', [start, end]).whereNot({ action: 'gift' }).select('card_id', 'action', 'amount', 'created_at');
  if (shopIds) moves.whereIn('shop_id', shopIds);
  const seen = new Map<string, Set<number>>();
  for (const m of await moves) {
    const day = dayIn(new Date(m.created_at), zone);
    const row = days.get(day);
    if (!row) continue;
    row.transactions++;
    if (CARD_REWARD_ACTIONS.includes(m.action)) row.rewards++;
    if (PAID.includes(m.action)) row.revenue += Number(m.amount);
    if (!seen.has(day)) seen.set(day, new Set());
    seen.get(day)!.add(Number(m.card_id));
  }
  // Returning: the card had a transaction before that day (one indexed read per day of activity).
  for (const [day, ids] of seen) {
    const dayStart = new Date(`${addCalendarDays(day, -1)}T00:00:00Z`);
    const earlier = await ctx.db.queryCompany(ctx.companyId, 'loyalty_card_transactions').whereIn('card_id', [...ids]).whereNot({ action: 'gift' }).where('created_at', '<', dayStart).distinct('card_id');
    const before = new Set(earlier.map((r: any) => Number(r.card_id)));
    // Transactions of the day before `dayStart` but on an earlier company day are counted too.
    const near = await ctx.db.queryCompany(ctx.companyId, 'loyalty_card_transactions').whereIn('card_id', [...ids]).whereNot({ action: 'gift' }).whereBetween('created_at', [dayStart, new Date(`${addCalendarDays(day, 1)}T00:00:00Z`)]).select('card_id', 'created_at');
    for (const r of near) if (dayIn(new Date(r.created_at), zone) < day) before.add(Number(r.card_id));
    days.get(day)!.returning = [...ids].filter((id) => before.has(id)).length;
  }
  const list = [...days.values()];
  const totals = { issued: 0, installed: 0, transactions: 0, returning: 0, rewards: 0, revenue: 0 };
  for (const d of list) for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += d[k];
  return { days: list, totals };
}

export function registerDashboard(m: ModuleContext): void {
  m.routes.api({
    method: 'GET', path: '/card-dashboard', permission: P.cardRead, summary: 'Cards by day: issued, installed, transactions, returning customers, rewards, revenue', tags: ['Cards'],
    query: { type: 'object', properties: { from: { type: 'string', pattern: DAY.source }, to: { type: 'string', pattern: DAY.source }, shop_id: idSchema } },
    handler: async (ctx, { query }) => {
      const { from, to } = window(ctx, query);
      return { from, to, ...(await cardDashboard(ctx, from, to, await shopsShown(ctx, query.shop_id ?? null))) };
    },
  });
  m.routes.page({
    method: 'GET', path: '/loyalty/card-dashboard', permission: P.cardRead,
    handler: async (ctx, { query }) => {
      const { from, to } = window(ctx, query);
      const shopId = Number(query.shop_id) > 0 ? Number(query.shop_id) : null;
      const report = await cardDashboard(ctx, from, to, await shopsShown(ctx, shopId));
      const currency = ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.currency ?? 'EUR';
      const labels = report.days.map((d) => d.day);
      const activity = { type: 'bar', title: 'Cards per day', labels, series: [{ name: 'Issued', values: report.days.map((d) => d.issued) }, { name: 'Installed', values: report.days.map((d) => d.installed) }, { name: 'Transactions', values: report.days.map((d) => d.transactions) }, { name: 'Returning', values: report.days.map((d) => d.returning) }, { name: 'Rewards', values: report.days.map((d) => d.rewards) }] };
      const revenue = { type: 'line', title: `Revenue from card holders (${currency})`, unit: currency, labels, series: [{ name: 'Revenue', values: report.days.map((d) => formatAmount(d.revenue, currency)) }] };
      return { view: 'loyalty/card-dashboard', title: 'Cards dashboard', data: { ...report, from, to, shopId, activity, revenue, shops: await shopChoices(ctx, shopId) } };
    },
  });
  m.views.slot({
    slot: 'home.widgets', template: 'loyalty/card-widget', order: 60, permission: P.cardRead,
    data: async (ctx) => {
      const today = companyToday(ctx);
      const report = await cardDashboard(ctx, addCalendarDays(today, -6), today, await shopsShown(ctx, null));
      return { week: report.totals };
    },
  });
}

function window(ctx: RequestContext, query: Record<string, unknown>): { from: string; to: string } {
  const today = companyToday(ctx);
  const to = typeof query.to === 'string' && DAY.test(query.to) ? query.to : today;
  let from = typeof query.from === 'string' && DAY.test(query.from) && query.from <= to ? query.from : addCalendarDays(to, -29);
  if (from < addCalendarDays(to, -91)) from = addCalendarDays(to, -91);
  return { from, to };
}
