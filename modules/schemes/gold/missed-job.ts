import { CORE, type RequestContext, type ScopedDb } from 'tessera/core';
import type { Knex } from 'knex';
import type { GoldPorts } from './gold-ports';
import { GOLD, calendarOf, lockPlan, planOf, recordGoldEvent } from './plan-store';
import { statusOn } from './plan-view';
import { localDay, windowOf } from './rules/gold-calendar';
import type { Container } from 'inversify';

interface SystemContexts {
  system(companyIds: number[], companyId?: number): RequestContext;
}

/**
 * Flags one plan's months whose window ended unpaid as missed, each once: the unique key (plan, month)
 * holds however often, late or concurrently the job runs, and maturity moves by one month per flag
 * only when the flag is new (same transaction, plan row locked). Paused months are never due, so
 * never missed. Also keeps the stored status in step (paused, matured).
 */
export async function flagMissedOf(db: ScopedDb, planId: number, today: string, windowOfScheme: { start: number; end: number }): Promise<string[]> {
  const plan = await lockPlan(db, planId);
  if (plan.status === 'closed' || plan.status === 'redeemed') return [];
  const flagged: string[] = [];
  const paidMonths = new Set((await db.query(GOLD.payments).where({ plan_id: plan.id }).whereIn('status', ['paid', 'processing']).distinct('month').pluck('month')) as string[]);
  const known = new Set((await db.query(GOLD.missed).where({ plan_id: plan.id }).pluck('month')) as string[]);
  // A new flag adds a due month at the end, so walk the calendar again until nothing changes.
  for (let changed = true; changed; ) {
    changed = false;
    // Once every instalment is paid (or in payment) nothing more is due, so nothing more is missed.
    if (paidMonths.size >= plan.instalments) break;
    for (const month of calendarOf(plan).due) {
      if (paidMonths.has(month) || known.has(month)) continue;
      if (today <= windowOf(month, windowOfScheme.start, windowOfScheme.end).last) break;
      await db.unscoped('a missed flag of a plan locked above, in its company').table(GOLD.missed).insert({ company_id: plan.company_id, plan_id: plan.id, month, created_at: new Date() });
      known.add(month);
      flagged.push(month);
      plan.missed_count += 1;
      changed = true;
      break;
    }
  }
  const { maturity } = calendarOf(plan);
  const status = statusOn({ ...plan, maturity_date: maturity.date, maturity_month: maturity.month }, today);
  if (flagged.length || status !== plan.status) {
    await db.query(GOLD.plans).where({ id: plan.id }).update({ missed_count: plan.missed_count, maturity_month: maturity.month, maturity_date: maturity.date, status, updated_at: new Date() });
  }
  for (const month of flagged) await recordGoldEvent(db, plan, 'missed', `${month} unpaid at the end of its window; maturity moves to ${maturity.date}`);
  return flagged;
}

/** Every open plan of one company, each in its own transaction (a failure stops only that plan). */
export async function flagMissedForCompany(ports: GoldPorts, ctx: RequestContext, now = new Date()): Promise<{ plans: number; flagged: number }> {
  const today = localDay(now, await ports.zone(ctx.db));
  const schemes = (await ctx.db.queryCompany(ctx.companyId, GOLD.schemes).select('id', 'window_start_day', 'window_end_day')) as Array<Record<string, unknown>>;
  const windows = new Map(schemes.map((s) => [Number(s.id), { start: Number(s.window_start_day), end: Number(s.window_end_day) }]));
  let plans = 0;
  let flagged = 0;
  let after = 0;
  for (;;) {
    const batch = (await ctx.db
      .queryCompany(ctx.companyId, GOLD.plans)
      .whereIn('status', ['active', 'paused'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .select('id', 'scheme_id', 'status', 'start_month', 'instalments', 'missed_count', 'pauses', 'maturity_date')) as Array<Record<string, unknown>>;
    if (!batch.length) break;
    after = Number(batch[batch.length - 1].id);
    plans += batch.length;
    for (const row of await needingWork(ctx, batch, windows, today)) {
      flagged += (await ctx.db.transaction((db) => flagMissedOf(db, Number(row.id), today, windows.get(Number(row.scheme_id))!))).length;
    }
  }
  return { plans, flagged };
}

/**
 * The plans of a batch with something to do, read in two queries for the whole batch: a due month whose
 * window ended that is neither paid (or in payment) nor flagged, or a stored status behind the calendar.
 * The others (most plans, most days) are left without a transaction.
 */
async function needingWork(ctx: RequestContext, batch: Array<Record<string, unknown>>, windows: Map<number, { start: number; end: number }>, today: string) {
  const ids = batch.map((r) => Number(r.id));
  const done = new Set<string>();
  const paid = (await ctx.db.queryCompany(ctx.companyId, GOLD.payments).whereIn('plan_id', ids).whereIn('status', ['paid', 'processing']).distinct('plan_id', 'month')) as Array<Record<string, unknown>>;
  const flagged = (await ctx.db.queryCompany(ctx.companyId, GOLD.missed).whereIn('plan_id', ids).select('plan_id', 'month')) as Array<Record<string, unknown>>;
  const paidCount = new Map<number, number>();
  for (const r of paid) {
    done.add(`${r.plan_id}:${r.month}`);
    paidCount.set(Number(r.plan_id), (paidCount.get(Number(r.plan_id)) ?? 0) + 1);
  }
  for (const r of flagged) done.add(`${r.plan_id}:${r.month}`);
  return batch.filter((r) => {
    const w = windows.get(Number(r.scheme_id));
    if (!w) return false;
    const plan = planOf(r);
    if (statusOn(plan, today) !== plan.status) return true;
    if ((paidCount.get(plan.id) ?? 0) >= plan.instalments) return false;
    for (const month of calendarOf(plan).due) {
      if (today <= windowOf(month, w.start, w.end).last) return false;
      if (!done.has(`${plan.id}:${month}`)) return true;
    }
    return false;
  });
}

/** The scheduled run over every company with open gold plans: the installation's own work, across companies. */
export async function flagMissedEverywhere(container: Container, ports: GoldPorts, now = new Date()) {
  const knex = container.get<Knex>(CORE.Knex);
  const contexts = container.get<SystemContexts>(CORE.Contexts);
  const companies = (await knex(GOLD.plans).whereIn('status', ['active', 'paused']).distinct('company_id').pluck('company_id')) as number[];
  let total = { plans: 0, flagged: 0 };
  for (const companyId of companies.map(Number)) {
    const r = await flagMissedForCompany(ports, contexts.system([companyId], companyId), now);
    total = { plans: total.plans + r.plans, flagged: total.flagged + r.flagged };
  }
  return total;
}
