import type { Container } from 'inversify';
import type { EntityService, RequestContext } from 'tessera/core';
import type { GoldPlanService as Contract } from '../api';
import type { GoldPorts } from './gold-ports';
import { flagMissedEverywhere, flagMissedForCompany } from './missed-job';
import { confirmInstalment, failInstalment, instalmentById, instalmentOf, recordInstalment, type InstalmentInput } from './payments/instalment-record';
import { changeTier, closePlan, pausePlan, previewTier, redeemPlan, sendCloseCode } from './plan-changes';
import type { goldPlanEntity } from './plan-entity';
import { GOLD, readPlan, readScheme, retryingDeadlocks } from './plan-store';
import { bonusSoFar, ledgerOf, scheduleOf, statusOn } from './plan-view';
import { localDay, isMonth } from './rules/gold-calendar';
import { ValidationError } from 'tessera/core';

/**
 * Gold saving plans for other parts of the app (pages, reports, the bench): every rule lives in the
 * functions this delegates to, each one transaction. `now` parameters exist for jobs and tests.
 */
export class GoldPlanServiceImpl implements Contract {
  constructor(
    private readonly ports: GoldPorts,
    readonly entity: EntityService<typeof goldPlanEntity>,
    private readonly container: Container,
  ) {}

  enrol(ctx: RequestContext, input: { customer_id: number; scheme_id: number; tier: string; start_month: string }) {
    return this.entity.create(ctx, input as never) as Promise<any>;
  }

  /** The plan with its effective status, schedule, bonus earned so far and grams. */
  async get(ctx: RequestContext, id: number, now = new Date()) {
    const plan = await readPlan(ctx.db, id);
    const scheme = await readScheme(ctx.db, plan.scheme_id);
    const today = localDay(now, await this.ports.zone(ctx.db));
    const schedule = await scheduleOf(ctx.db, plan, scheme, today);
    const { segments, pauses, ...rest } = plan;
    return { ...rest, status: statusOn(plan, today), segments, pauses, scheme: { id: scheme.id, name: scheme.name, kind: scheme.kind, weight: scheme.weight }, bonus_so_far: bonusSoFar(plan, scheme, schedule), schedule };
  }

  plansOf(ctx: RequestContext, customerId: number) {
    return ctx.db.query(GOLD.plans).where({ customer_id: customerId }).orderBy('id', 'desc').select('id', 'scheme_id', 'tier', 'status', 'instalment', 'paid_total', 'paid_count', 'instalments', 'maturity_date', 'grams_milli');
  }

  pay(ctx: RequestContext, planId: number, input: InstalmentInput, now?: Date) {
    return recordInstalment(this.ports, ctx, planId, input, now);
  }

  async payments(ctx: RequestContext, planId: number) {
    await readPlan(ctx.db, planId);
    return ((await ctx.db.query(GOLD.payments).where({ plan_id: planId }).orderBy('id')) as Array<Record<string, unknown>>).map(instalmentOf);
  }

  async confirmPayment(ctx: RequestContext, planId: number, instalmentId: number) {
    await this.ownInstalment(ctx, planId, instalmentId);
    return confirmInstalment(this.ports, ctx, instalmentId);
  }

  async failPayment(ctx: RequestContext, planId: number, instalmentId: number) {
    await this.ownInstalment(ctx, planId, instalmentId);
    await retryingDeadlocks(() => ctx.db.transaction((db) => failInstalment(this.ports, db, instalmentId)));
    return instalmentById(ctx.db, instalmentId);
  }

  private async ownInstalment(ctx: RequestContext, planId: number, instalmentId: number) {
    const row = await instalmentById(ctx.db, instalmentId);
    if (row.plan_id !== planId) throw new ValidationError({ payment_id: `is not an instalment of gold plan ${planId}` });
  }

  pause(ctx: RequestContext, id: number, input: { months: number; from_month?: string }, now?: Date) {
    return pausePlan(this.ports, ctx, id, input, now);
  }

  previewTierChange(ctx: RequestContext, id: number, tier: string, now?: Date) {
    return previewTier(this.ports, ctx, id, tier, now);
  }

  changeTier(ctx: RequestContext, id: number, tier: string, now?: Date) {
    return changeTier(this.ports, ctx, id, tier, now);
  }

  sendCloseCode(ctx: RequestContext, id: number) {
    return sendCloseCode(this.ports, ctx, id);
  }

  close(ctx: RequestContext, id: number, input: { code: string; closed_by?: number }, now?: Date) {
    return closePlan(this.ports, ctx, id, input, now);
  }

  redeem(ctx: RequestContext, id: number, now?: Date) {
    return redeemPlan(this.ports, ctx, id, now);
  }

  async ledger(ctx: RequestContext, id: number) {
    const plan = await readPlan(ctx.db, id);
    return ledgerOf(ctx.db, plan, await this.ports.zone(ctx.db));
  }

  async history(ctx: RequestContext, id: number) {
    await readPlan(ctx.db, id);
    return ctx.db.query(GOLD.events).where({ plan_id: id }).orderBy('id').select('id', 'kind', 'amount', 'detail', 'created_at', 'created_by');
  }

  /** Flags the company's missed months (the scheduled job runs this for every company). */
  flagMissed(ctx: RequestContext, now?: Date) {
    return flagMissedForCompany(this.ports, ctx, now);
  }

  flagMissedEverywhere(now?: Date) {
    return flagMissedEverywhere(this.container, this.ports, now);
  }

  /** Months flagged missed in `month` (the company's current month by default), with the plan's customer, scheme and instalment. */
  async missedReport(ctx: RequestContext, month?: string, now = new Date()) {
    if (month !== undefined && !isMonth(month)) throw new ValidationError({ month: 'must be a month YYYY-MM' });
    const m = month ?? localDay(now, await this.ports.zone(ctx.db)).slice(0, 7);
    const rows = (await ctx.db
      .queryCompany(ctx.companyId, GOLD.missed, 'm')
      .join(`${GOLD.plans} as p`, 'p.id', 'm.plan_id')
      .where('m.month', m)
      .orderBy('m.plan_id')
      .select('m.plan_id', 'm.month', 'p.customer_id', 'p.scheme_id', 'p.tier', 'p.instalment', 'p.status', 'p.maturity_date', 'm.created_at as flagged_at')) as Array<Record<string, unknown>>;
    return { month: m, count: rows.length, data: rows.map((r) => ({ ...r, plan_id: Number(r.plan_id), customer_id: Number(r.customer_id), scheme_id: Number(r.scheme_id), instalment: Number(r.instalment) })) };
  }
}
