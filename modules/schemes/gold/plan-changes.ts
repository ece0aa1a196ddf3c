import { ConflictError, ValidationError, type RequestContext, type ScopedDb } from 'tessera/core';
import { creditJournal, type GoldPorts } from './gold-ports';
import { GOLD, calendarOf, lockPlan, readPlan, readScheme, recordGoldEvent, refuseWhileProcessing, type PlanRow } from './plan-store';
import { bonusSoFar, outcomesOf, scheduleOf, statusOn } from './plan-view';
import { isMonth, localDay, redemptionRefusal } from './rules/gold-calendar';
import { instalmentAt, previewTierChange, withTier, type TierPreview } from './rules/gold-rewards';

const OPEN = new Set(['active', 'paused', 'matured']);

function refuseTerminal(plan: PlanRow, what: string): void {
  if (!OPEN.has(plan.status)) throw new ConflictError(`Gold plan ${plan.id} is ${plan.status}: it cannot be ${what}`);
}

async function todayOf(ports: GoldPorts, db: ScopedDb, now: Date): Promise<string> {
  return localDay(now, await ports.zone(db));
}

/** Stores a new calendar (pauses, missed count) with the maturity it gives. */
function calendarPatch(plan: PlanRow) {
  const { maturity } = calendarOf(plan);
  return { pauses: JSON.stringify(plan.pauses), missed_count: plan.missed_count, maturity_month: maturity.month, maturity_date: maturity.date };
}

/**
 * Pause for N months from `from_month` (the current month by default): those months are neither due
 * nor missed, and every remaining due month moves by N (so does maturity).
 */
export async function pausePlan(ports: GoldPorts, ctx: RequestContext, id: number, input: { months: number; from_month?: string }, now = new Date()) {
  const errors: Record<string, string> = {};
  if (!Number.isInteger(input.months) || input.months < 1 || input.months > 12) errors.months = 'must be 1 to 12 months';
  if (input.from_month !== undefined && !isMonth(input.from_month)) errors.from_month = 'must be a month YYYY-MM';
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return ctx.db.transaction(async (db) => {
    const plan = await lockPlan(db, id);
    refuseTerminal(plan, 'paused');
    const today = await todayOf(ports, db, now);
    const from = input.from_month ?? today.slice(0, 7);
    if (from < today.slice(0, 7)) throw new ValidationError({ from_month: 'must not be a past month' });
    if (from > plan.maturity_month) throw new ValidationError({ from_month: `must be before the last due month (${plan.maturity_month})` });
    const paid = await db.query(GOLD.payments).where({ plan_id: plan.id, month: from }).whereIn('status', ['processing', 'paid']).first('id');
    if (paid) throw new ConflictError(`${from} already has an instalment: pause from the next month`, { from_month: `${from} is paid` });
    plan.pauses = [...plan.pauses, { from, months: input.months }];
    const patch = calendarPatch(plan);
    await db.query(GOLD.plans).where({ id }).update({ ...patch, status: statusOn({ ...plan, maturity_date: patch.maturity_date }, today), updated_at: new Date(), updated_by: db.principal.userId });
    await recordGoldEvent(db, plan, 'paused', `${input.months} month(s) from ${from}; maturity ${patch.maturity_date}`);
    return { pauses: plan.pauses, maturity_date: patch.maturity_date };
  });
}

async function tierOf(db: ScopedDb, plan: PlanRow, tier: string) {
  const scheme = await readScheme(db, plan.scheme_id);
  const target = scheme.tiers.find((t) => t.code === tier);
  if (!target) throw new ValidationError({ tier: `must be a tier of scheme ${scheme.name}: ${scheme.tiers.map((t) => t.code).join(', ')}` });
  return { scheme, target };
}

/** What a tier change would do, before confirming: instalment and bonus at maturity before and after (all on time from now). */
export async function previewTier(ports: GoldPorts, ctx: RequestContext, id: number, tier: string, now = new Date()): Promise<TierPreview & { tier: string }> {
  const db = ctx.db;
  const plan = await readPlan(db, id);
  const { scheme, target } = await tierOf(db, plan, tier);
  const schedule = await scheduleOf(db, plan, scheme, await todayOf(ports, db, now));
  return { tier, ...previewTierChange({ rule: scheme.reward, n: plan.instalments, segments: plan.segments, paid: plan.paid_count, onTime: plan.on_time_count, outcomes: outcomesOf(schedule, plan) }, tier, target.instalment) };
}

/** Upgrade or downgrade: the new instalment applies from the next instalment; the bonus is prorated by months at each amount. */
export async function changeTier(ports: GoldPorts, ctx: RequestContext, id: number, tier: string, now = new Date()) {
  const preview = await previewTier(ports, ctx, id, tier, now);
  return ctx.db.transaction(async (db) => {
    const plan = await lockPlan(db, id);
    refuseTerminal(plan, 'changed');
    if (plan.paid_count >= plan.instalments) throw new ConflictError(`Gold plan ${plan.id} has all its instalments: there is nothing left to change`);
    await refuseWhileProcessing(db, plan.id, 'changed');
    const { target } = await tierOf(db, plan, tier);
    if (target.code === plan.tier) throw new ValidationError({ tier: `is already the plan's tier` });
    const segments = withTier(plan.segments, plan.paid_count + 1, target.code, target.instalment);
    await db.query(GOLD.plans).where({ id }).update({ tier: target.code, instalment: instalmentAt(segments, plan.paid_count + 1), segments: JSON.stringify(segments), updated_at: new Date(), updated_by: db.principal.userId });
    await recordGoldEvent(db, plan, 'tier_changed', `${plan.tier} → ${target.code} from instalment ${plan.paid_count + 1}: ${plan.instalment} → ${target.instalment}`);
    return { ...preview, segments };
  });
}

/** Sends the close code by SMS to the customer (a sub-account's main customer, the contact). */
export async function sendCloseCode(ports: GoldPorts, ctx: RequestContext, id: number) {
  const plan = await readPlan(ctx.db, id);
  refuseTerminal(plan, 'closed');
  const contact = await contactOf(ports, ctx, plan.customer_id);
  return ctx.db.transaction(async (db) => {
    const issued = await ports.otp().issue(db, { customerId: contact, purpose: 'schemes.gold.close', ref: `gold-plan:${plan.id}` });
    return { sent: true, expires_at: issued.expires_at, channel_status: issued.delivery.map((d) => d.status) };
  });
}

async function contactOf(ports: GoldPorts, ctx: RequestContext, customerId: number): Promise<number> {
  const customer = await ports.customers().get(ctx, customerId);
  return customer.parent_id == null ? customer.id : Number(customer.parent_id);
}

/**
 * Close with the code the customer received: a wrong or expired code is refused and the plan stays as
 * it was (the failed try counts against the code's limit). Closing records `closed_by` (the signed-in
 * user, or the team member named) and `closed_at`, hands what the customer redeems to billing as credit,
 * and is terminal. Before maturity the bonus is forfeited unless the scheme keeps it.
 */
export async function closePlan(ports: GoldPorts, ctx: RequestContext, id: number, input: { code: string; closed_by?: number }, now = new Date()) {
  if (typeof input.code !== 'string' || !input.code.trim()) throw new ValidationError({ code: 'is required' });
  if (input.closed_by !== undefined && (!Number.isSafeInteger(input.closed_by) || input.closed_by <= 0)) throw new ValidationError({ closed_by: 'must be a user id' });
  const seen = await readPlan(ctx.db, id);
  refuseTerminal(seen, 'closed');
  // The team member named must work in the plan's company (core's users answer; read before the
  // transaction: SQLite's one connection is held by it, and a plan's company never changes).
  if (input.closed_by !== undefined && !(await ports.teamMember(seen.company_id, input.closed_by))) {
    throw new ValidationError({ closed_by: "must be a team member of the plan's company" });
  }
  const contact = await contactOf(ports, ctx, seen.customer_id);
  const journalId = await creditJournal(ports, ctx);
  const outcome = await ctx.db.transaction(async (db) => {
    const verdict = await ports.otp().verify(db, { customerId: contact, purpose: 'schemes.gold.close', ref: `gold-plan:${id}`, code: input.code.trim() });
    // A refused code commits its counted try; nothing else happens.
    if (!verdict.ok) return { refused: verdict.reason };
    const plan = await lockPlan(db, id);
    refuseTerminal(plan, 'closed');
    await refuseWhileProcessing(db, id, 'closed');
    const scheme = await readScheme(db, plan.scheme_id);
    const today = await todayOf(ports, db, now);
    const matured = today >= plan.maturity_date || plan.paid_count >= plan.instalments;
    const earned = bonusSoFar(plan, scheme, await scheduleOf(db, plan, scheme, today));
    const bonus = matured || scheme.early_close_keeps_bonus ? earned : 0;
    const closedBy = input.closed_by ?? ctx.user.id;
    const settled = await settle(ports, db, plan, { journalId, bonus, kind: 'closed', reason: `Gold plan ${plan.id} closed${matured ? '' : ' early'}` });
    await db.query(GOLD.plans).where({ id }).update({ status: 'closed', closed_by: closedBy, closed_at: now, bonus, settled_value: settled.value, credit_note_id: settled.creditNoteId, updated_at: new Date(), updated_by: db.principal.userId });
    return { plan: id, status: 'closed', closed_by: closedBy, closed_at: now.toISOString(), matured, bonus, bonus_forfeited: earned - bonus, value: settled.value, credit_note_id: settled.creditNoteId };
  });
  if ('refused' in outcome) throw new ValidationError({ code: outcome.refused === 'expired' ? 'has expired: send a new code' : outcome.refused === 'too_many_attempts' ? 'was tried too often: send a new code' : outcome.refused === 'no_code' ? 'was not sent or was used: send a new code' : 'is wrong' });
  return outcome;
}

/**
 * Redeem a matured plan inside its redemption window (maturity day to `redemption_days` after, both
 * included): paid + bonus is handed to billing as a credit note the customer spends on an invoice, never cash.
 */
export async function redeemPlan(ports: GoldPorts, ctx: RequestContext, id: number, now = new Date()) {
  const journalId = await creditJournal(ports, ctx);
  return ctx.db.transaction(async (db) => {
    const plan = await lockPlan(db, id);
    refuseTerminal(plan, 'redeemed');
    await refuseWhileProcessing(db, id, 'redeemed');
    const scheme = await readScheme(db, plan.scheme_id);
    const today = await todayOf(ports, db, now);
    const refusal = redemptionRefusal(today, plan.maturity_date, scheme.redemption_days);
    if (refusal) throw new ConflictError(`Gold plan ${plan.id} cannot be redeemed on ${today}: ${refusal}`);
    if (plan.paid_total <= 0) throw new ConflictError(`Gold plan ${plan.id} has nothing paid to redeem`);
    const bonus = bonusSoFar(plan, scheme, await scheduleOf(db, plan, scheme, today));
    const settled = await settle(ports, db, plan, { journalId, bonus, kind: 'redeemed', reason: `Gold plan ${plan.id} redeemed` });
    await db.query(GOLD.plans).where({ id }).update({ status: 'redeemed', redeemed_at: now, bonus, settled_value: settled.value, credit_note_id: settled.creditNoteId, updated_at: new Date(), updated_by: db.principal.userId });
    const grams = plan.grams_milli;
    return {
      plan: id, status: 'redeemed', paid: plan.paid_total, bonus, value: settled.value, credit_note_id: settled.creditNoteId,
      ...(scheme.weight && grams > 0 ? { grams_milli: grams, average_price_per_gram: Math.floor((plan.paid_total * 1000 + Math.floor(grams / 2)) / grams) } : {}),
    };
  });
}

/** paid + bonus to billing as a standalone credit note of the plan's customer (origin makes it once). */
async function settle(ports: GoldPorts, db: ScopedDb, plan: PlanRow, s: { journalId: number; bonus: number; kind: 'closed' | 'redeemed'; reason: string }) {
  const value = plan.paid_total + s.bonus;
  let creditNoteId: number | null = null;
  if (value > 0) {
    const note = await ports.creditNotes().createStandalone(db, {
      customerId: plan.customer_id, journalId: s.journalId, amount: value, reason: s.reason,
      origin: { module: 'schemes', key: `gold-${s.kind}:${plan.id}` }, metadata: { gold_plan_id: plan.id, paid: plan.paid_total, bonus: s.bonus },
    });
    creditNoteId = note.id;
  }
  if (s.bonus > 0) await recordGoldEvent(db, plan, 'bonus', `bonus ${s.bonus}`, s.bonus);
  await recordGoldEvent(db, plan, s.kind, `${s.reason}: ${value} as credit${creditNoteId ? ` (credit note ${creditNoteId})` : ''}`, value);
  return { value, creditNoteId };
}
