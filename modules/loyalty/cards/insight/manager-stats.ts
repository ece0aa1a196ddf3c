import { CORE, CORE_PERMISSIONS, idSchema, ValidationError, type ApiRoute, type PageRoute, type RequestContext, type UserService } from 'tessera/core';
import { BASE, type ShopService } from '../../../base/api';
import { LOYALTY_PERMISSIONS as P } from '../../api';
import { shopChoices, shopsShown } from '../shop-scope';

/** Transactions that hand the customer a reward: a stamp card's or a reward card's reward, a coupon. */
export const REWARD_ACTIONS = ['redeem_reward', 'redeem'] as const;

export interface ManagerStat {
  user_id: number | null;
  shop_id: number | null;
  transactions: number;
  customers: number;
  rewards: number;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The period asked for, as UTC days inclusive; the last 30 days when none is given. */
export function period(query: Record<string, unknown>): { from: string; to: string } {
  const today = new Date().toISOString().slice(0, 10);
  const from = query.from ? String(query.from) : new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
  const to = query.to ? String(query.to) : today;
  if (!DAY.test(from) || Number.isNaN(Date.parse(from))) throw new ValidationError({ from: 'is a day, YYYY-MM-DD' });
  if (!DAY.test(to) || Number.isNaN(Date.parse(to))) throw new ValidationError({ to: 'is a day, YYYY-MM-DD' });
  if (from > to) throw new ValidationError({ to: 'is on or after from' });
  return { from, to };
}

/**
 * Per manager (the user who scanned) and shop: transactions, distinct customers served and rewards
 * given, in one grouped query over the card transactions of the period, at the given shops (`null`: all).
 */
export async function managerStats(ctx: RequestContext, range: { from: string; to: string }, shopIds: number[] | null = null): Promise<ManagerStat[]> {
  if (shopIds && !shopIds.length) return [];
  const start = new Date(`${range.from}T00:00:00Z`);
  const end = new Date(Date.parse(`${range.to}T00:00:00Z`) + 86_400_000);
  const raw = ctx.db.unscoped('an expression of the query below');
  const rows = await ctx.db.queryCompany(ctx.companyId, 'loyalty_card_transactions', 't')
    .join('loyalty_cards as c', 'c.id', 't.card_id')
    .where('t.created_at', '>=', start).where('t.created_at', '<', end)
    .modify((q) => { if (shopIds) q.whereIn('t.shop_id', shopIds); })
    .groupBy('t.user_id', 't.shop_id')
    .select('t.user_id', 't.shop_id')
    .count({ transactions: '*' })
    .countDistinct({ customers: 'c.customer_id' })
    .select(raw.raw(`sum(case when t.action in (${REWARD_ACTIONS.map(() => '?').join(', ')}) then 1 else 0 end) as rewards`, [...REWARD_ACTIONS]))
    .orderBy([{ column: 't.user_id' }, { column: 't.shop_id' }]);
  return rows.map((r: Record<string, unknown>) => ({
    user_id: r.user_id == null ? null : Number(r.user_id),
    shop_id: r.shop_id == null ? null : Number(r.shop_id),
    transactions: Number(r.transactions),
    customers: Number(r.customers),
    rewards: Number(r.rewards ?? 0),
  }));
}

const rangeQuery = { type: 'object', properties: { from: { type: 'string', maxLength: 10 }, to: { type: 'string', maxLength: 10 }, shop_id: idSchema } };

/** The shop picked on the page (empty: all the caller's shops); a value that is not an id is named. */
function pickedShop(query: Record<string, unknown>): number | null {
  const raw = query.shop_id;
  if (raw === undefined || raw === null || raw === '') return null;
  if (!/^[1-9]\d{0,9}$/.test(String(raw))) throw new ValidationError({ shop_id: 'is a shop id' });
  return Number(raw);
}

export function managerStatsApi(): ApiRoute[] {
  return [{
    method: 'GET', path: '/reports/card-managers', permission: P.cardAnalyse, tags: ['Cards'], query: rangeQuery,
    summary: "Per manager and shop: card transactions, customers served and rewards given over a period (UTC days, the last 30 by default), at the caller's shops or the one picked",
    handler: async (ctx, { query }) => {
      const range = period(query);
      return { ...range, data: await managerStats(ctx, range, await shopsShown(ctx, pickedShop(query))) };
    },
  }];
}

/** Names of the managers and shops of the statistics, through core's users and base's shops; an id when unknown. */
async function namesOf(ctx: RequestContext, rows: ManagerStat[]): Promise<{ users: Map<number, string>; shops: Map<number, string> }> {
  const users = new Map<number, string>();
  const shops = new Map<number, string>();
  const shopIds = [...new Set(rows.map((r) => r.shop_id).filter((id): id is number => id !== null))];
  if (shopIds.length) {
    for (const [id, shop] of await ctx.container.get<ShopService>(BASE.ShopService).getMany(ctx, shopIds)) shops.set(id, String(shop.name));
  }
  // Seeing other users' names needs core's user permission; without it the statistics show ids.
  if (ctx.can(CORE_PERMISSIONS.userRead)) {
    const people = ctx.container.get<UserService>(CORE.Users);
    for (const id of new Set(rows.map((r) => r.user_id).filter((x): x is number => x !== null))) {
      const user = await people.get(ctx, id).catch(() => null);
      if (user) users.set(id, user.name || user.email);
    }
  }
  return { users, shops };
}

export function managerStatsPages(): PageRoute[] {
  return [{
    method: 'GET', path: '/loyalty/managers/statistics', permission: P.cardAnalyse,
    handler: async (ctx, { query }) => {
      const range = period(query);
      const picked = pickedShop(query);
      const rows = await managerStats(ctx, range, await shopsShown(ctx, picked));
      const { users, shops } = await namesOf(ctx, rows);
      const stats = rows.map((s) => ({ ...s, who: s.user_id === null ? 'Nobody (API)' : users.get(s.user_id) ?? `User #${s.user_id}`, where: s.shop_id === null ? 'No shop' : shops.get(s.shop_id) ?? `Shop #${s.shop_id}` }));
      const labels = stats.map((s) => `${s.who} · ${s.where}`);
      const chart = {
        type: 'bar',
        data: { labels, datasets: [
          { label: 'Transactions', data: stats.map((s) => s.transactions), backgroundColor: '#1565c0' },
          { label: 'Customers served', data: stats.map((s) => s.customers), backgroundColor: '#2e7d32' },
          { label: 'Rewards given', data: stats.map((s) => s.rewards), backgroundColor: '#ef6c00' },
        ] },
        options: { scales: { y: { beginAtZero: true } } },
      };
      return { view: 'loyalty/card-managers', title: 'Manager statistics', data: { range, stats, chart, shops: await shopChoices(ctx, picked) } };
    },
  }];
}
