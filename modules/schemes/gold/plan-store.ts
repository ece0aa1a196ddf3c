import { ConflictError, NotFoundError, isTransientConflict, retryOnConflict, toDate, type ScopedDb } from 'tessera/core';
import type { Pause } from './rules/gold-calendar';
import { dueMonths, maturityOf } from './rules/gold-calendar';
import type { RewardRule, Segment } from './rules/gold-rewards';
import type { Tier } from './scheme-entity';

export const GOLD = {
  schemes: 'schemes_gold_schemes',
  rates: 'schemes_gold_rates',
  plans: 'schemes_gold_plans',
  payments: 'schemes_gold_payments',
  missed: 'schemes_gold_missed',
  events: 'schemes_gold_events',
} as const;

export type GoldStatus = 'active' | 'paused' | 'matured' | 'closed' | 'redeemed';

/** A plan row as the services use it: numbers as numbers, JSON parsed. */
export interface PlanRow {
  id: number;
  company_id: number;
  customer_id: number;
  scheme_id: number;
  kind: 'fixed' | 'flexible';
  tier: string;
  instalment: number;
  instalments: number;
  start_month: string;
  status: GoldStatus;
  segments: Segment[];
  pauses: Pause[];
  missed_count: number;
  paid_count: number;
  on_time_count: number;
  paid_total: number;
  grams_milli: number;
  maturity_month: string;
  maturity_date: string;
  bonus: number;
  settled_value: number | null;
  credit_note_id: number | null;
  closed_by: number | null;
  closed_at: Date | null;
  redeemed_at: Date | null;
}

export interface SchemeRow {
  id: number;
  name: string;
  kind: 'fixed' | 'flexible';
  duration_months: number;
  window_start_day: number;
  window_end_day: number;
  min_instalment: number;
  tiers: Tier[];
  reward: RewardRule;
  weight: boolean;
  early_close_keeps_bonus: boolean;
  redemption_days: number;
  active: boolean;
}

const json = <T>(v: unknown, fallback: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : ((v as T) ?? fallback));
const num = (v: unknown) => Number(v ?? 0);
const numOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function planOf(r: Record<string, unknown>): PlanRow {
  return {
    id: num(r.id),
    company_id: num(r.company_id),
    customer_id: num(r.customer_id),
    scheme_id: num(r.scheme_id),
    kind: r.kind as PlanRow['kind'],
    tier: String(r.tier),
    instalment: num(r.instalment),
    instalments: num(r.instalments),
    start_month: String(r.start_month),
    status: r.status as GoldStatus,
    segments: json<Segment[]>(r.segments, []),
    pauses: json<Pause[]>(r.pauses, []),
    missed_count: num(r.missed_count),
    paid_count: num(r.paid_count),
    on_time_count: num(r.on_time_count),
    paid_total: num(r.paid_total),
    grams_milli: num(r.grams_milli),
    maturity_month: String(r.maturity_month),
    maturity_date: String(r.maturity_date),
    bonus: num(r.bonus),
    settled_value: numOrNull(r.settled_value),
    credit_note_id: numOrNull(r.credit_note_id),
    closed_by: numOrNull(r.closed_by),
    closed_at: r.closed_at ? (toDate(r.closed_at) as Date) : null,
    redeemed_at: r.redeemed_at ? (toDate(r.redeemed_at) as Date) : null,
  };
}

export function schemeOf(r: Record<string, unknown>): SchemeRow {
  return {
    id: num(r.id),
    name: String(r.name),
    kind: r.kind as SchemeRow['kind'],
    duration_months: num(r.duration_months),
    window_start_day: num(r.window_start_day),
    window_end_day: num(r.window_end_day),
    min_instalment: num(r.min_instalment),
    tiers: json<Tier[]>(r.tiers, []),
    reward: { kind: (r.reward_kind as RewardRule['kind']) ?? 'none', instalments: num(r.reward_instalments), rate: num(r.reward_rate), every: num(r.reward_every), minInstalments: num(r.reward_min_instalments) },
    weight: Boolean(Number(r.weight)),
    early_close_keeps_bonus: Boolean(Number(r.early_close_keeps_bonus)),
    redemption_days: num(r.redemption_days),
    active: Boolean(Number(r.active)),
  };
}

/** A plan the caller may see, locked for the rest of the transaction where the database has row locks (SQLite serialises writers). */
export async function lockPlan(db: ScopedDb, id: number): Promise<PlanRow> {
  let query = db.query(GOLD.plans).where('id', id);
  if (db.client !== 'better-sqlite3') query = query.forUpdate();
  const row = await query.first();
  if (!row) throw new NotFoundError('Gold plan');
  return planOf(row);
}

export async function readPlan(db: ScopedDb, id: number): Promise<PlanRow> {
  const row = await db.query(GOLD.plans).where('id', id).first();
  if (!row) throw new NotFoundError('Gold plan');
  return planOf(row);
}

export async function readScheme(db: ScopedDb, id: number): Promise<SchemeRow> {
  const row = await db.query(GOLD.schemes).where('id', id).first();
  if (!row) throw new NotFoundError('Gold scheme');
  return schemeOf(row);
}

/** The plan's due months and maturity from its start, instalments, pauses and missed months. */
export function calendarOf(plan: Pick<PlanRow, 'start_month' | 'instalments' | 'missed_count' | 'pauses'>) {
  const due = dueMonths({ start: plan.start_month, instalments: plan.instalments, missed: plan.missed_count, pauses: plan.pauses });
  return { due, maturity: maturityOf(due) };
}

/** One line of the plan's history (pauses, tier changes, missed months, close, redemption). */
export async function recordGoldEvent(db: ScopedDb, plan: Pick<PlanRow, 'id' | 'company_id'>, kind: string, detail: string, amount = 0): Promise<void> {
  await db.insert(GOLD.events, { company_id: plan.company_id, plan_id: plan.id, kind, amount, detail: detail.slice(0, 255) }, { audit: false });
}

/** Which unique key a duplicate hit, from the driver's message (index name on MariaDB, columns on SQLite). */
export function duplicateOn(error: unknown, key: 'slot' | 'reference' | 'idempotency_key'): boolean {
  const message = String((error as { message?: string })?.message ?? '');
  const names = { slot: /slot/, reference: /_ref_unique|\.reference/, idempotency_key: /_key_unique|idempotency_key/ };
  return names[key].test(message);
}

/**
 * Runs a whole transaction again when the database gave it up (a deadlock victim: nothing of it was
 * kept), with a growing, jittered pause so the two victims of one deadlock do not meet again. Should it
 * still lose after every attempt, the caller gets a 409 to retry (the request changed nothing), never a 500.
 */
export async function retryingDeadlocks<T>(work: () => Promise<T>, attempts = 8): Promise<T> {
  return retryOnConflict(work, attempts).catch((error) => {
    if (isTransientConflict(error)) throw new ConflictError('The database was busy with concurrent payments and nothing was recorded: retry the request', {}, 'busy_retry');
    throw error;
  });
}

/** Refuses to settle a plan while an instalment waits for its gateway: its confirmation would find the plan settled. */
export async function refuseWhileProcessing(db: ScopedDb, planId: number, what: string): Promise<void> {
  const pending = await db.query(GOLD.payments).where({ plan_id: planId, status: 'processing' }).first('reference');
  if (pending) throw new ConflictError(`Instalment ${pending.reference} is still processing: the plan can be ${what} once it is paid or failed`);
}
