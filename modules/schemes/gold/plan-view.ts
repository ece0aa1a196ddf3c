import { toDate, type ScopedDb } from 'tessera/core';
import { GOLD, calendarOf, type PlanRow, type SchemeRow } from './plan-store';
import { isPaused, localDay, monthsBetween, windowOf, type Month } from './rules/gold-calendar';
import { bonusOf, instalmentAt, type Outcome } from './rules/gold-rewards';

export type MonthStatus = 'paid' | 'late' | 'missed' | 'due' | 'upcoming' | 'paused';

export interface ScheduleRow {
  month: Month;
  status: MonthStatus;
  window: { first: string; last: string };
  amount_due: number;
  paid: number;
}

/** Each due month's state, plus paused months inside the term, in calendar order. */
export async function scheduleOf(db: ScopedDb, plan: PlanRow, scheme: SchemeRow, today: string): Promise<ScheduleRow[]> {
  const { due } = calendarOf(plan);
  const paid = (await db.query(GOLD.payments).where({ plan_id: plan.id, status: 'paid' }).select('month', 'amount', 'on_time')) as Array<Record<string, unknown>>;
  const missed = new Set((await db.query(GOLD.missed).where({ plan_id: plan.id }).pluck('month')) as string[]);
  const rows: ScheduleRow[] = [];
  let seq = 0;
  const last = due[due.length - 1];
  for (let i = 0, m = plan.start_month; monthsBetween(m, last) >= 0; i++, m = monthAfter(m)) {
    const window = windowOf(m, scheme.window_start_day, scheme.window_end_day);
    if (isPaused(m, plan.pauses)) {
      rows.push({ month: m, status: 'paused', window, amount_due: 0, paid: 0 });
      continue;
    }
    const inMonth = paid.filter((p) => p.month === m);
    const total = inMonth.reduce((s, p) => s + Number(p.amount), 0);
    let status: MonthStatus;
    if (inMonth.length) status = inMonth.some((p) => Boolean(Number(p.on_time))) ? 'paid' : 'late';
    else if (missed.has(m)) status = 'missed';
    else if (today > window.last) status = 'late';
    else status = today >= window.first ? 'due' : 'upcoming';
    if (inMonth.length || status !== 'missed') seq += 1;
    rows.push({ month: m, status, window, amount_due: instalmentAt(plan.segments, Math.max(seq, 1)), paid: total });
  }
  return rows;
}

function monthAfter(m: Month): Month {
  const [y, mm] = m.split('-').map(Number);
  return mm === 12 ? `${y + 1}-01` : `${y}-${String(mm + 1).padStart(2, '0')}`;
}

/** Instalment outcomes in order (for interval rewards): paid months on time or late, missed months. */
export function outcomesOf(schedule: readonly ScheduleRow[], plan: PlanRow): Array<{ outcome: Outcome; instalment: number }> {
  const out: Array<{ outcome: Outcome; instalment: number }> = [];
  let seq = 0;
  for (const row of schedule) {
    if (row.status === 'paid' || (row.status === 'late' && row.paid > 0)) {
      seq += 1;
      out.push({ outcome: row.status === 'paid' ? 'on_time' : 'late', instalment: instalmentAt(plan.segments, seq) });
    } else if (row.status === 'missed') out.push({ outcome: 'missed', instalment: instalmentAt(plan.segments, seq + 1) });
  }
  return out;
}

/** The bonus earned by what was paid so far (the full bonus once everything is paid). */
export function bonusSoFar(plan: PlanRow, scheme: SchemeRow, schedule: readonly ScheduleRow[]): number {
  return bonusOf({ rule: scheme.reward, n: plan.instalments, segments: plan.segments, paid: plan.paid_count, onTime: plan.on_time_count, outcomes: outcomesOf(schedule, plan) });
}

/** The plan's state on `today`: stored terminal states win; then paused, matured, active. */
export function statusOn(plan: PlanRow, today: string): PlanRow['status'] {
  if (plan.status === 'closed' || plan.status === 'redeemed') return plan.status;
  if (today >= plan.maturity_date) return 'matured';
  if (isPaused(today.slice(0, 7), plan.pauses)) return 'paused';
  return 'active';
}

export interface LedgerRow {
  date: string;
  kind: 'instalment' | 'bonus' | 'closed' | 'redeemed';
  month: string | null;
  reference: string | null;
  mode: string | null;
  amount: number;
  on_time: boolean | null;
  grams_milli: number;
  rate: number | null;
  /** Money the scheme holds for the customer after this row. */
  balance: number;
  detail: string;
}

/** The plan's ledger: paid instalments (processing and failed ones leave no row), then the bonus and what was handed to billing (the balance ends at 0). */
export async function ledgerOf(db: ScopedDb, plan: PlanRow, zone: string): Promise<LedgerRow[]> {
  const paid = (await db.query(GOLD.payments).where({ plan_id: plan.id, status: 'paid' }).orderBy([{ column: 'paid_at' }, { column: 'id' }])) as Array<Record<string, unknown>>;
  const settled = (await db.query(GOLD.events).where({ plan_id: plan.id }).whereIn('kind', ['bonus', 'closed', 'redeemed']).orderBy('id')) as Array<Record<string, unknown>>;
  let balance = 0;
  const rows: LedgerRow[] = paid.map((p) => {
    balance += Number(p.amount);
    return {
      date: localDay(toDate(p.paid_at) as Date, zone), kind: 'instalment', month: String(p.month), reference: String(p.reference), mode: String(p.mode), amount: Number(p.amount),
      on_time: Boolean(Number(p.on_time)), grams_milli: Number(p.grams_milli), rate: p.rate == null ? null : Number(p.rate), balance, detail: '',
    };
  });
  for (const e of settled) {
    const amount = e.kind === 'bonus' ? Number(e.amount) : -Number(e.amount);
    balance += amount;
    rows.push({ date: localDay(toDate(e.created_at) as Date, zone), kind: e.kind as 'closed', month: null, reference: null, mode: null, amount, on_time: null, grams_milli: 0, rate: null, balance, detail: String(e.detail) });
  }
  return rows;
}
