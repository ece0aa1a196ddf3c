import { toDate, type ScopedDb } from 'tessera/core';
import type { PlanRow } from '../plans/plan-entity';
import { PLANS } from '../plans/plan-service';

/** Reads plans with a row lock where the database has them (SQLite serialises writers anyway). */
export async function lockPlans(db: ScopedDb, where: Record<string, unknown>): Promise<PlanRow[]> {
  return planRows(await plansLockQuery(db, where));
}

/** The locking read of `lockPlans`, unsent (sent ahead with billing's event). */
export function plansLockQuery(db: ScopedDb, where: Record<string, unknown>): ReturnType<ScopedDb['query']> {
  const query = db.query(PLANS).where(where).orderBy('id');
  return db.client !== 'better-sqlite3' ? query.forUpdate() : query;
}

/** What `plansLockQuery` answered, typed. */
export function planRows(found: unknown): PlanRow[] {
  const rows = found as PlanRow[];
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    company_id: Number(r.company_id),
    customer_id: Number(r.customer_id),
    total: Number(r.total),
    paid: Number(r.paid),
    discount: Number(r.discount),
    owed: Number(r.owed),
    carried_scaled: Number(r.carried_scaled),
    instalment_amount: Number(r.instalment_amount),
    instalment_days: Number(r.instalment_days),
    days_bought: Number(r.days_bought),
    bonus_days: Number(r.bonus_days),
    expiry: toDate(r.expiry) as Date,
  }));
}
