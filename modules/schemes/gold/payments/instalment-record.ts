import { ConflictError, isDuplicateKey, NotFoundError, toDate, ValidationError, type RequestContext, type ScopedDb } from 'tessera/core';
import { MODES, paymentJournal, type GoldPorts, type Mode } from '../gold-ports';
import { GOLD, calendarOf, duplicateOn, lockPlan, readScheme, retryingDeadlocks, type PlanRow } from '../plan-store';
import { isOnTime, isPaused, localDay } from '../rules/gold-calendar';
import { gramsMilli, instalmentAt } from '../rules/gold-rewards';

export interface InstalmentInput {
  amount: number;
  mode: Mode;
  /** Unique per plan: the same reference again answers the same instalment. */
  reference: string;
  /** processing (an online payment until the gateway confirms), paid, failed. Default paid. */
  status?: 'processing' | 'paid' | 'failed';
  /** When the customer paid (ISO instant); now by default. Judged on the company's calendar. */
  paid_at?: string;
  /** The main customer paying a family sub-account's plan; the plan's customer by default. */
  payer_id?: number;
  journal_id?: number;
  /** The request's Idempotency-Key: the same key again answers the same instalment. */
  idempotency_key?: string;
}

export interface Instalment {
  id: number;
  plan_id: number;
  payment_id: number | null;
  payer_id: number;
  reference: string;
  mode: string;
  amount: number;
  status: 'processing' | 'paid' | 'failed' | 'reversed';
  month: string;
  paid_at: string;
  on_time: boolean;
  rate: number | null;
  grams_milli: number;
  created?: boolean;
}

export function instalmentOf(r: Record<string, unknown>): Instalment {
  return {
    id: Number(r.id),
    plan_id: Number(r.plan_id),
    payment_id: r.payment_id == null ? null : Number(r.payment_id),
    payer_id: Number(r.payer_id),
    reference: String(r.reference),
    mode: String(r.mode),
    amount: Number(r.amount),
    status: r.status as Instalment['status'],
    month: String(r.month),
    paid_at: (toDate(r.paid_at) as Date).toISOString(),
    on_time: Boolean(Number(r.on_time)),
    rate: r.rate == null ? null : Number(r.rate),
    grams_milli: Number(r.grams_milli),
  };
}

function checkInput(input: InstalmentInput, now: Date): Date {
  const errors: Record<string, string> = {};
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) errors.amount = 'must be a positive amount in minor units';
  if (!MODES.includes(input.mode)) errors.mode = `must be one of ${MODES.join(', ')}`;
  if (typeof input.reference !== 'string' || !input.reference.trim() || input.reference.trim().length > 100) errors.reference = 'must be 1 to 100 characters';
  if (input.status !== undefined && !['processing', 'paid', 'failed'].includes(input.status)) errors.status = 'must be processing, paid or failed';
  // Whole seconds, as the database keeps them: the answer is built without reading the row back.
  const paidAt = new Date(Math.floor((input.paid_at ? new Date(input.paid_at) : now).getTime() / 1000) * 1000);
  if (Number.isNaN(paidAt.getTime())) errors.paid_at = 'must be an ISO 8601 instant';
  else if (paidAt.getTime() > now.getTime() + 5 * 60_000) errors.paid_at = 'must not be in the future (no prepaying)';
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return paidAt;
}

async function existingOf(db: ScopedDb, planId: number, reference: string, key?: string): Promise<Record<string, unknown> | undefined> {
  const byRef = await db.query(GOLD.payments).where({ plan_id: planId, reference }).first();
  if (byRef || !key) return byRef;
  return db.query(GOLD.payments).where({ plan_id: planId, idempotency_key: key }).first();
}

/**
 * In one statement: the instalment this reference or key already made (if any) and, for a fixed plan,
 * the months already taken (processing or paid). A flexible plan needs only the first.
 */
async function seenAndTaken(db: ScopedDb, plan: PlanRow, reference: string, key?: string) {
  if (plan.kind !== 'fixed') return { existing: await existingOf(db, plan.id, reference, key), taken: [] as Array<Record<string, unknown>> };
  const rows = (await db
    .query(GOLD.payments)
    .where({ plan_id: plan.id })
    .where((q) => {
      q.where('reference', reference).orWhereIn('status', ['processing', 'paid']);
      if (key) q.orWhere('idempotency_key', key);
    })) as Array<Record<string, unknown>>;
  const existing = rows.find((r) => r.reference === reference) ?? (key ? rows.find((r) => r.idempotency_key === key) : undefined);
  return { existing, taken: rows.filter((r) => r.status === 'processing' || r.status === 'paid') };
}

/**
 * Records an instalment of a plan as a billing payment (offline or online), in one transaction with
 * the plan's row locked. Only a paid payment counts: billing's `payment.posted` event credits the plan
 * (`creditInstalment`). The same reference or idempotency key again answers the same instalment, and a
 * processing one answered with `paid` or `failed` is the gateway's confirmation. A fixed plan holds
 * one instalment per month by a unique key (`slot`), so of two payments at once for one month the
 * database lets one in and the other is refused with the reason.
 */
export async function recordInstalment(ports: GoldPorts, ctx: RequestContext, planId: number, input: InstalmentInput, now = new Date()): Promise<Instalment> {
  const paidAt = checkInput(input, now);
  const reference = input.reference.trim();
  // A payer other than the plan's customer is checked before the transaction (crm's service); else the locked plan names it.
  if (input.payer_id !== undefined) {
    const seen = await ctx.db.query(GOLD.plans).where('id', planId).first('customer_id');
    if (!seen) throw new NotFoundError('Gold plan');
    if (input.payer_id !== Number(seen.customer_id)) {
      const customer = await ports.customers().get(ctx, Number(seen.customer_id));
      if (customer.parent_id == null || Number(customer.parent_id) !== input.payer_id) throw new ValidationError({ payer_id: "must be the plan's customer or its main customer (family account)" });
    }
  }
  const journalId = await paymentJournal(ports, ctx, input.mode, input.journal_id);
  const key = input.idempotency_key?.trim().slice(0, 120) || undefined;

  const result = await retryingDeadlocks(() => ctx.db.transaction(async (db) => {
    const plan = await lockPlan(db, planId);
    const payer = input.payer_id ?? plan.customer_id;
    const { existing, taken } = await seenAndTaken(db, plan, reference, key);
    if (existing) return { existing: instalmentOf(existing) };
    const scheme = await readScheme(db, plan.scheme_id);
    if (plan.status === 'closed' || plan.status === 'redeemed') throw new ConflictError(`Gold plan ${plan.id} is ${plan.status}: it takes no more payments`);
    const zone = await ports.zone(db);
    const day = localDay(paidAt, zone);
    const month = day.slice(0, 7);
    refuseOutOfTerm(plan, month);
    if (plan.kind === 'fixed') {
      if (taken.length >= plan.instalments) throw new ConflictError(`Gold plan ${plan.id} has all its ${plan.instalments} instalments: no advance payments`);
      const same = taken.find((t: Record<string, unknown>) => t.month === month);
      if (same) throw oneAMonth(plan.id, month, String(same.reference));
      const due = instalmentAt(plan.segments, taken.length + 1);
      if (input.amount !== due) throw new ValidationError({ amount: `must be the plan's instalment, ${due} (a fixed plan takes one set instalment a month)` });
    } else if (input.amount < scheme.min_instalment) {
      throw new ValidationError({ amount: `must be at least the scheme's minimum instalment, ${scheme.min_instalment}` });
    }
    let rate: number | null = null;
    if (scheme.weight) {
      const row = await db.query(GOLD.rates).where({ company_id: plan.company_id, day }).first('rate');
      if (!row) throw new ValidationError({ paid_at: `has no gold rate for ${day}: enter the day's rate first` });
      rate = Number(row.rate);
    }
    const row = {
      company_id: plan.company_id, plan_id: plan.id, customer_id: plan.customer_id, payer_id: payer, journal_id: journalId, reference, idempotency_key: key ?? null,
      mode: input.mode, amount: input.amount, status: 'processing', month, slot: plan.kind === 'fixed' ? month : null, paid_at: paidAt,
      on_time: isOnTime(paidAt, month, { startDay: scheme.window_start_day, endDay: scheme.window_end_day }, zone), rate, grams_milli: rate ? gramsMilli(input.amount, rate) : 0,
    };
    let id: number;
    try {
      id = await db.insert(GOLD.payments, row, { audit: false });
    } catch (error) {
      if (isDuplicateKey(error) && duplicateOn(error, 'slot')) throw oneAMonth(plan.id, month, 'another payment');
      throw error;
    }
    // billing's payment.posted reaches creditInstalment inside this transaction: hand it the rows it would read again.
    const own = { plan, row: { ...row, id }, credited: false };
    recording.set(id, own);
    let payment: { id: number };
    try {
      payment = await ports.payments().record(db, {
        customerId: payer, journalId, amount: input.amount, method: input.mode, reference: `GOLD/${plan.id}/${reference}`,
        status: input.status === 'paid' || input.status === undefined ? 'paid' : 'processing', allocate: false,
        metadata: { purpose: 'schemes.gold', gold_plan_id: plan.id, gold_payment_id: id, gold_contact_id: payer },
      });
    } finally {
      recording.delete(id);
    }
    // A paid payment was credited (status and payment id written by the guarded update); a processing one waits for its gateway.
    if (!own.credited) await db.query(GOLD.payments).where({ id }).update({ payment_id: payment.id });
    if (input.status === 'failed') {
      await failInstalment(ports, db, id);
      return { id };
    }
    const status = own.credited ? 'paid' : 'processing';
    return { id, made: instalmentOf({ ...row, id, payment_id: payment.id, status }) };
  })).catch(async (error) => {
    // A racing request with the same reference or key committed first: answer its instalment.
    if (isDuplicateKey(error) && (duplicateOn(error, 'reference') || duplicateOn(error, 'idempotency_key'))) {
      const again = await existingOf(ctx.db, planId, reference, key);
      if (again) return { existing: instalmentOf(again) };
    }
    throw error;
  });

  if ('existing' in result && result.existing) {
    const existing: Instalment = result.existing;
    if (existing.status === 'processing' && input.status === 'paid') return { ...(await confirmInstalment(ports, ctx, existing.id)), created: false };
    if (existing.status === 'processing' && input.status === 'failed') {
      await retryingDeadlocks(() => ctx.db.transaction((db) => failInstalment(ports, db, existing.id)));
      return { ...(await instalmentById(ctx.db, existing.id)), created: false };
    }
    return { ...existing, created: false };
  }
  const made = result as { id: number; made?: Instalment };
  return { ...(made.made ?? (await instalmentById(ctx.db, made.id))), created: true };
}

/**
 * Instalments being recorded in this process, by id, while billing records their payment: billing's
 * `payment.posted` handler (creditInstalment) runs inside that same transaction and takes the locked plan
 * and the new row from here instead of reading them again. Only the recording transaction can see the
 * new row before it commits, so no other transaction ever finds its id here.
 */
export const recording = new Map<number, { plan: PlanRow; row: Record<string, unknown>; credited: boolean }>();

function oneAMonth(planId: number, month: string, reference: string): ConflictError {
  return new ConflictError(`Gold plan ${planId} already has its instalment for ${month} (${reference}): a fixed plan takes one instalment a month`, { paid_at: `${month} already has its instalment` }, 'instalment_taken');
}

/** Payments land in a due month: not before the start, not in a pause, not past the last due month. */
function refuseOutOfTerm(plan: PlanRow, month: string): void {
  const { due } = calendarOf(plan);
  if (due.includes(month)) return;
  if (isPaused(month, plan.pauses)) throw new ConflictError(`Gold plan ${plan.id} is paused in ${month}: no instalment is due`, { paid_at: `${month} is paused` });
  if (month < plan.start_month) throw new ValidationError({ paid_at: `is before the plan starts (${plan.start_month})` });
  throw new ConflictError(`Gold plan ${plan.id} has no instalment due in ${month} (last due month ${due[due.length - 1]}): no advance payments`, { paid_at: `${month} is not a due month` });
}

export async function instalmentById(db: ScopedDb, id: number): Promise<Instalment> {
  const row = await db.query(GOLD.payments).where({ id }).first();
  if (!row) throw new NotFoundError('Instalment');
  return instalmentOf(row);
}

/** The gateway confirmed: billing's confirm publishes `payment.posted`, which credits the plan. */
export async function confirmInstalment(ports: GoldPorts, ctx: RequestContext, id: number): Promise<Instalment> {
  const row = await instalmentById(ctx.db, id);
  const paymentId = row.payment_id;
  if (paymentId == null) throw new ConflictError('The instalment has no billing payment yet');
  await retryingDeadlocks(() => ctx.db.transaction((db) => ports.payments().confirm(db, paymentId)));
  return instalmentById(ctx.db, id);
}

/** processing → failed: billing's payment fails, the month is free again, and no ledger row is left. */
export async function failInstalment(ports: GoldPorts, db: ScopedDb, id: number): Promise<void> {
  const row = await instalmentById(db, id);
  if (row.status === 'failed') return;
  if (row.status !== 'processing') throw new ConflictError(`Instalment ${row.reference} is ${row.status}; only a processing one can fail`);
  if (row.payment_id != null) await ports.payments().fail(db, row.payment_id);
  await db.query(GOLD.payments).where({ id, status: 'processing' }).update({ status: 'failed', slot: null, updated_at: new Date() });
}
