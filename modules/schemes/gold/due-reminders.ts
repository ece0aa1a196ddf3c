import type { ScopedDb } from 'tessera/core';
import type { DueItem } from '../../messaging/api';
import type { GoldPorts } from './gold-ports';
import { GOLD, calendarOf, planOf } from './plan-store';
import { windowOf } from './rules/gold-calendar';
import { instalmentAt } from './rules/gold-rewards';

/**
 * Gold instalments whose payment window closes on `day` and that are not paid (nor in payment): what
 * messaging's due-date reminders ask for N days ahead. One item per plan and month (`gold-plan:<id>:<month>`),
 * so a customer is reminded at most once a month; paused months are not due. A family sub-account's
 * reminder goes to its main customer, the contact.
 */
export async function goldDueItems(ports: GoldPorts, db: ScopedDb, day: string): Promise<DueItem[]> {
  const month = day.slice(0, 7);
  const schemes = (await db.queryCompany(db.principal.companyId, GOLD.schemes).select('id', 'name', 'window_start_day', 'window_end_day')) as Array<Record<string, unknown>>;
  const closing = schemes.filter((s) => windowOf(month, Number(s.window_start_day), Number(s.window_end_day)).last === day);
  if (!closing.length) return [];
  const names = new Map(closing.map((s) => [Number(s.id), String(s.name)]));
  const rows = (await db
    .queryCompany(db.principal.companyId, GOLD.plans)
    .whereIn('scheme_id', [...names.keys()])
    .where('status', 'active')
    .where('start_month', '<=', month)
    .where('maturity_month', '>=', month)
    .select('id', 'company_id', 'customer_id', 'scheme_id', 'tier', 'start_month', 'instalments', 'missed_count', 'paid_count', 'pauses', 'segments', 'status', 'maturity_date')) as Array<Record<string, unknown>>;
  const plans = rows.map(planOf).filter((p) => p.paid_count < p.instalments && calendarOf(p).due.includes(month));
  if (!plans.length) return [];
  const paid = new Set(
    ((await db.queryCompany(db.principal.companyId, GOLD.payments).whereIn('plan_id', plans.map((p) => p.id)).where('month', month).whereIn('status', ['paid', 'processing']).distinct('plan_id').pluck('plan_id')) as number[]).map(Number),
  );
  const ctx = ports.contextOf(db);
  const items: DueItem[] = [];
  for (const plan of plans) {
    if (paid.has(plan.id)) continue;
    const customer = await ports.customers().get(ctx, plan.customer_id).catch(() => null);
    if (!customer) continue;
    items.push({
      key: `gold-plan:${plan.id}:${month}`,
      customerId: customer.parent_id == null ? customer.id : Number(customer.parent_id),
      dueDate: day,
      data: { plan: { id: plan.id, scheme: names.get(plan.scheme_id), tier: plan.tier, month, amount: instalmentAt(plan.segments, plan.paid_count + 1) } },
    });
  }
  return items;
}
