import { CORE, isTransientConflict, type RequestContext, type ScopedDb } from 'tessera/core';
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
      .select('id', 'scheme_id', 'status', 'start_month', 'instalments', 'missed_count', 'pauses', 'maturity_date', 'maturity_month')) as Array<Record<string, unknown>>;
    if (!batch.length) break;
    after = Number(batch[batch.length - 1].id);
    plans += batch.length;
    flagged += await flagBatch(ctx, await needingWork(ctx, batch, windows, today), windows, today);
  }
  return { plans, flagged };
}

/**
 * A batch's work set-based, in one transaction: one guarded multi-row insert of the missed months
 * (the unique key (plan, month) ignores a flag another run made), then one UPDATE per group of plans
 * moving the same way, guarded by the missed count read (`where missed_count = ?`), so a maturity is
 * extended once however many runs overlap. A group the guard did not fully match (a concurrent run or
 * payment), or a batch the database gave up (a deadlock with a concurrent run), is redone plan by plan
 * under the row lock (`flagMissedOf`), which is idempotent.
 */
async function flagBatch(ctx: RequestContext, work: PlanWork[], windows: Map<number, { start: number; end: number }>, today: string): Promise<number> {
  if (!work.length) return 0;
  const redo: PlanWork[] = [];
  const flagged = await ctx.db.transaction(async (db) => {
    const now = new Date();
    const missed = work.flatMap((w) => w.months.map((month) => ({ company_id: w.plan.company_id, plan_id: w.plan.id, month, created_at: now })));
    for (let i = 0; i < missed.length; i += 500) {
      await db.unscoped('missed flags of plans of this company, read above').table(GOLD.missed).insert(missed.slice(i, i + 500)).onConflict(['plan_id', 'month']).ignore();
    }
    const groups = new Map<string, PlanWork[]>();
    for (const w of work) {
      const key = `${w.plan.missed_count}|${w.missed_count}|${w.maturity.month}|${w.maturity.date}|${w.status}`;
      groups.set(key, [...(groups.get(key) ?? []), w]);
    }
    let done = 0;
    for (const group of groups.values()) {
      const g = group[0];
      const changed = await db.query(GOLD.plans).whereIn('id', group.map((w) => w.plan.id)).where('missed_count', g.plan.missed_count).whereNotIn('status', ['closed', 'redeemed'])
        .update({ missed_count: g.missed_count, maturity_month: g.maturity.month, maturity_date: g.maturity.date, status: g.status, updated_at: now });
      if (Number(changed) !== group.length) {
        redo.push(...group);
        continue;
      }
      const events = group.flatMap((w) => w.months.map((month) => ({ company_id: w.plan.company_id, plan_id: w.plan.id, kind: 'missed', amount: 0, detail: `${month} unpaid at the end of its window; maturity moves to ${w.maturity.date}`, created_at: now, updated_at: now })));
      for (let i = 0; i < events.length; i += 500) await db.unscoped('history of plans of this company, updated above').table(GOLD.events).insert(events.slice(i, i + 500));
      done += group.reduce((n, w) => n + w.months.length, 0);
    }
    return done;
  }).catch((error) => {
    // A concurrent run's insert of the same flags made this one the deadlock victim: nothing was kept, redo plan by plan.
    if (!isTransientConflict(error)) throw error;
    redo.splice(0, redo.length, ...work);
    return 0;
  });
  let again = 0;
  for (const w of redo) again += (await ctx.db.transaction((db) => flagMissedOf(db, w.plan.id, today, windows.get(w.plan.scheme_id)!))).length;
  return flagged + again;
}

/**
 * The plans of a batch with something to do, read in two queries for the whole batch: due months whose
 * window ended that are neither paid (or in payment) nor flagged, or a stored status behind the calendar.
 * The others (most plans, most days) are left out.
 */
interface PlanWork {
  plan: ReturnType<typeof planOf>;
  months: string[];
  missed_count: number;
  maturity: { month: string; date: string };
  status: string;
}

async function needingWork(ctx: RequestContext, batch: Array<Record<string, unknown>>, windows: Map<number, { start: number; end: number }>, today: string): Promise<PlanWork[]> {
  const ids = batch.map((r) => Number(r.id));
  const paid = (await ctx.db.queryCompany(ctx.companyId, GOLD.payments).whereIn('plan_id', ids).whereIn('status', ['paid', 'processing']).distinct('plan_id', 'month')) as Array<Record<string, unknown>>;
  const flagged = (await ctx.db.queryCompany(ctx.companyId, GOLD.missed).whereIn('plan_id', ids).select('plan_id', 'month')) as Array<Record<string, unknown>>;
  const paidMonths = new Map<number, Set<string>>();
  const known = new Map<number, Set<string>>();
  for (const r of paid) paidMonths.set(Number(r.plan_id), (paidMonths.get(Number(r.plan_id)) ?? new Set()).add(String(r.month)));
  for (const r of flagged) known.set(Number(r.plan_id), (known.get(Number(r.plan_id)) ?? new Set()).add(String(r.month)));
  const work: PlanWork[] = [];
  for (const r of batch) {
    const w = windows.get(Number(r.scheme_id));
    if (!w) continue;
    const plan = planOf({ ...r, company_id: ctx.companyId });
    const months = missedMonths(plan, paidMonths.get(plan.id) ?? new Set(), known.get(plan.id) ?? new Set(), w, today);
    const { maturity } = calendarOf(plan);
    const status = statusOn({ ...plan, maturity_date: maturity.date, maturity_month: maturity.month }, today);
    if (months.length || status !== plan.status) work.push({ plan: { ...plan, missed_count: Number(r.missed_count) }, months, missed_count: plan.missed_count, maturity, status });
  }
  return work;
}

/**
 * The months to flag, as `flagMissedOf` walks them: a new flag adds a due month at the end, so the
 * calendar is walked again until nothing changes. Moves `plan.missed_count` along.
 */
function missedMonths(plan: ReturnType<typeof planOf>, paidMonths: Set<string>, known: Set<string>, w: { start: number; end: number }, today: string): string[] {
  const months: string[] = [];
  for (let changed = true; changed; ) {
    changed = false;
    if (paidMonths.size >= plan.instalments) break;
    for (const month of calendarOf(plan).due) {
      if (paidMonths.has(month) || known.has(month)) continue;
      if (today <= windowOf(month, w.start, w.end).last) break;
      known.add(month);
      months.push(month);
      plan.missed_count += 1;
      changed = true;
      break;
    }
  }
  return months;
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
