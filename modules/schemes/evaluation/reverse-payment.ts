import { toDate, type ScopedDb } from 'tessera/core';
import type { PaymentReversed } from '../../billing/api';
import type { Ports } from '../billing/billing-ports';
import { companyZone } from '../plans/company-clock';
import { carriedMinor, unpurchase } from '../plans/plan-days';
import { addDays } from '../plans/plan-expiry';
import { PLANS, PLAN_EVENTS } from '../plans/plan-service';
import { recordEvent } from './apply-payment';
import { lockPlans } from './plan-lock';

/**
 * A reversed payment takes back what it did to its plan: its days (and the carried money it left), its
 * bonus days, and, for a cash discount, its credit note through billing. Never a negative code: the
 * expiry simply moves back. Once per payment (unique keys on the reversal lines).
 */
export async function reversePayment(ports: Ports, db: ScopedDb, companyId: number, p: PaymentReversed): Promise<{ plan: number | null; days: number }> {
  const lines = (await db.query(PLAN_EVENTS).where({ payment_id: p.payment_id }).whereIn('kind', ['payment', 'bonus', 'payment_reversed'])) as Array<Record<string, unknown>>;
  const payment = lines.find((l) => l.kind === 'payment');
  if (!payment || lines.some((l) => l.kind === 'payment_reversed')) return { plan: null, days: 0 };
  const [plan] = await lockPlans(db, { id: Number(payment.plan_id) });
  const bonus = lines.find((l) => l.kind === 'bonus');
  const rate = { instalmentAmount: plan.instalment_amount, instalmentDays: plan.instalment_days };
  const undone = unpurchase(rate, Number(payment.days), Number(payment.carried_added), plan.carried_scaled);
  const zone = await companyZone(ports, db, companyId);
  const before = plan.expiry as Date;
  let expiry = addDays(before, -undone.days, zone);
  const amount = Number(payment.amount);
  const state = {
    paid: plan.paid - amount,
    owed: plan.owed + amount,
    carried_scaled: undone.carriedScaled,
    carried_credit: carriedMinor(rate, undone.carriedScaled),
    days_bought: plan.days_bought - undone.days,
    bonus_days: plan.bonus_days,
    discount: plan.discount,
  };
  await recordEvent(db, plan, { kind: 'payment_reversed', payment_id: p.payment_id, amount: -amount, days: -undone.days, carried_added: -Number(payment.carried_added), before, after: expiry, detail: undone.days > Number(payment.days) ? 'carried credit already spent: whole days taken instead' : '' });
  if (bonus) {
    const days = Number(bonus.days);
    const bonusBefore = expiry;
    expiry = addDays(expiry, -days, zone);
    state.bonus_days -= days;
    let detail = String(bonus.detail ?? '');
    const creditNoteId = bonus.credit_note_id == null ? null : Number(bonus.credit_note_id);
    if (creditNoteId !== null) {
      await ports.creditNotes().reverse(db, creditNoteId, `payment ${p.payment_id} reversed`);
      state.owed += Number(bonus.amount);
      state.discount -= Number(bonus.amount);
    }
    await recordEvent(db, plan, { kind: 'bonus_reversed', payment_id: p.payment_id, bundle_id: Number(bonus.bundle_id), credit_note_id: creditNoteId, amount: -Number(bonus.amount), days: -days, before: bonusBefore, after: expiry, detail });
  }
  const reopened = plan.status === 'completed' && state.owed > 0;
  await db.update(PLANS, plan.id, { ...state, expiry, ...(reopened ? { status: 'active' } : {}) }, { audit: false });
  return { plan: plan.id, days: undone.days };
}

/** The expiry history of a plan (for its chart): each change in order. */
export async function expiryHistory(db: ScopedDb, planId: number): Promise<Array<{ at: string; expiry: string }>> {
  const rows = (await db.query(PLAN_EVENTS).where('plan_id', planId).orderBy('id').select('created_at', 'expiry_after')) as Array<Record<string, unknown>>;
  return rows.filter((r) => r.expiry_after).map((r) => ({ at: toDate(r.created_at)!.toISOString(), expiry: toDate(r.expiry_after)!.toISOString() }));
}
