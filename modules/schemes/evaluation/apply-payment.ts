import { isDuplicateKey, ValidationError, type ScopedDb } from 'tessera/core';
import type { PaymentPosted } from '../../billing/api';
import { SCHEMES_EVENTS } from '../api';
import type { Ports } from '../billing/billing-ports';
import type { BundleRule } from '../bundles/bundle-rules';
import { companyZone } from '../plans/company-clock';
import { carriedMinor, purchase, valueOfDays } from '../plans/plan-days';
import type { PlanRow } from '../plans/plan-entity';
import { addDays, dayOf, extendExpiry } from '../plans/plan-expiry';
import { PLANS, PLAN_EVENTS } from '../plans/plan-service';
import { issueCodes } from '../devices/device-tokens';
import { bundleFor } from './bundle-award';
import { lockPlans, planRows, plansLockQuery } from './plan-lock';

interface Settings {
  overpayment?: 'refuse' | 'credit';
}

/** The plan named by the payment (`metadata.pay_plan_id`), else the customer's active plans. */
function plansOfPayment(p: Pick<PaymentPosted, 'metadata' | 'customer_id'>): Record<string, unknown> {
  const named = Number(p.metadata?.pay_plan_id);
  return Number.isSafeInteger(named) && named > 0 ? { id: named, customer_id: p.customer_id } : { customer_id: p.customer_id, status: 'active' };
}

/**
 * `applyPayment`'s locking read of the plans, unsent: billing's event sends it ahead (it travels with the
 * event's outbox row). No other handler of `billing.payment.posted` writes pay plans.
 */
export function paymentPlansQuery(db: ScopedDb, p: PaymentPosted): ReturnType<typeof plansLockQuery> {
  return plansLockQuery(db, plansOfPayment(p));
}

export type Applied = { plan: number; days: number; bonus: BundleRule | null } | { plan: null; reason: string };

/**
 * A paid payment applied to the customer's pay plan, inside billing's transaction: the plan named by
 * the payment (`metadata.pay_plan_id`), else the customer's one active plan; with several, the money
 * stays customer credit and the plan page asks which plan. The plan row is locked, so two payments at
 * once apply one after the other; the application and the bonus have unique keys per payment, so a
 * retried delivery changes nothing.
 */
export async function applyPayment(ports: Ports, db: ScopedDb, companyId: number, p: PaymentPosted, paidAt = new Date(), sentAhead?: unknown): Promise<Applied> {
  // Read with the event's outbox row when it came by billing's event (see `paymentPlansQuery`).
  const plans = sentAhead !== undefined ? planRows(sentAhead) : await lockPlans(db, plansOfPayment(p));
  if (plans.length !== 1) return { plan: null, reason: plans.length ? 'several active plans: choose one' : 'no active plan' };
  const plan = plans[0];
  if (plan.status !== 'active') return { plan: null, reason: `plan ${plan.id} is ${plan.status}` };

  let applied = p.amount;
  if (p.amount > plan.owed) {
    // A retried payment larger than what is owed now must answer "already applied", not be refused.
    if (await db.query(PLAN_EVENTS).where({ payment_id: p.payment_id, kind: 'payment' }).first('id')) return { plan: null, reason: 'already applied' };
    const settings = await db.settings<Settings>('schemes', companyId);
    if (settings.overpayment === 'refuse') throw new ValidationError({ amount: `is more than pay plan ${plan.id} still owes (${plan.owed})` });
    applied = plan.owed;
  }
  const rate = { instalmentAmount: plan.instalment_amount, instalmentDays: plan.instalment_days };
  const bought = purchase(rate, applied, plan.carried_scaled);
  const zone = await companyZone(ports, db, companyId);
  let expiry = extendExpiry(plan.expiry as Date, paidAt, bought.days, zone);
  const state = {
    paid: plan.paid + applied,
    owed: plan.owed - applied,
    carried_scaled: bought.carriedScaled,
    carried_credit: carriedMinor(rate, bought.carriedScaled),
    days_bought: plan.days_bought + bought.days,
    bonus_days: plan.bonus_days,
    discount: plan.discount,
  };
  // The payment's ledger line goes first: its unique key is the "once per payment" check, with nothing written before it.
  const fresh = await recordEvent(db, plan, { kind: 'payment', payment_id: p.payment_id, amount: applied, days: bought.days, carried_added: bought.carriedScaled - plan.carried_scaled, before: plan.expiry as Date, after: expiry, detail: applied < p.amount ? `${p.amount - applied} left as customer credit` : '' }, { duplicate: 'skip' });
  if (!fresh) return { plan: null, reason: 'already applied' };

  let bonus: BundleRule | null = null;
  if (state.owed > 0) {
    bonus = await bundleFor(ports, db, { companyId, customerId: p.customer_id, ownDays: bought.ownDays, journalId: p.journal_id, day: dayOf(paidAt, zone) });
  }
  if (bonus) {
    const before = expiry;
    expiry = addDays(expiry, bonus.reward_days, zone);
    state.bonus_days += bonus.reward_days;
    let creditNoteId: number | null = null;
    let value = 0;
    if (bonus.type === 'cash_discount') {
      value = Math.min(valueOfDays(rate, bonus.reward_days), state.owed);
      const note = await ports.creditNotes().createStandalone(db, {
        customerId: p.customer_id,
        journalId: bonus.journal_id,
        amount: value,
        reason: `${bonus.name}: ${bonus.reward_days} free days on pay plan ${plan.id}`,
        origin: { module: 'schemes', key: `bonus:${p.payment_id}` },
        metadata: { pay_plan_id: plan.id, payment_id: p.payment_id, bundle_id: bonus.id },
      });
      creditNoteId = note.id;
      state.owed -= value;
      state.discount += value;
    }
    await recordEvent(db, plan, { kind: 'bonus', payment_id: p.payment_id, bundle_id: bonus.id, credit_note_id: creditNoteId, amount: value, days: bonus.reward_days, before, after: expiry, detail: bonus.name });
    await db.publish(SCHEMES_EVENTS.bonusAwarded, { plan_id: plan.id, customer_id: p.customer_id, payment_id: p.payment_id, bundle_id: bonus.id, type: bonus.type, reward_days: bonus.reward_days, credit_note_id: creditNoteId, expiry: expiry.toISOString() }, companyId);
  }
  const completed = state.owed <= 0;
  // The row is locked since the start (lockPlans): one plain UPDATE, no second locking read or read-back.
  await db.query(PLANS).where('id', plan.id).update({ ...state, expiry, ...(completed ? { status: 'completed' } : {}), updated_at: new Date(), updated_by: db.principal.userId });
  if (completed) await recordEvent(db, plan, { kind: 'completed', amount: 0, days: 0, before: expiry, after: expiry, detail: 'paid off: the device is unlocked for good' });
  if (plan.device_mode === 'code') {
    // A code-based device learns its days offline: a code for the days bought, one for the bonus, one to unlock it when paid off.
    await issueCodes(ports, db, plan, p.payment_id, 'payment', bought.days);
    if (bonus) await issueCodes(ports, db, plan, p.payment_id, 'bonus', bonus.reward_days);
    if (completed) await issueCodes(ports, db, plan, p.payment_id, 'unlock', 0);
  }
  await db.publish(SCHEMES_EVENTS.paymentApplied, { plan_id: plan.id, customer_id: p.customer_id, payment_id: p.payment_id, amount: applied, days: bought.days, expiry: expiry.toISOString() }, companyId);
  return { plan: plan.id, days: bought.days, bonus };
}

interface EventInput {
  kind: string;
  payment_id?: number;
  bundle_id?: number;
  credit_note_id?: number | null;
  amount: number;
  days: number;
  carried_added?: number;
  before: Date;
  after: Date;
  detail: string;
}

/**
 * One line of the plan's ledger; a second one for the same payment and kind is refused by the database
 * (an error, or false with `duplicate: 'skip'`: the statement alone fails, the transaction goes on).
 */
export async function recordEvent(db: ScopedDb, plan: PlanRow, e: EventInput, options: { duplicate?: 'throw' | 'skip' } = {}): Promise<boolean> {
  try {
    await db.insert(
      PLAN_EVENTS,
      {
        company_id: plan.company_id,
        plan_id: plan.id,
        customer_id: plan.customer_id,
        kind: e.kind,
        payment_id: e.payment_id ?? null,
        bundle_id: e.bundle_id ?? null,
        credit_note_id: e.credit_note_id ?? null,
        amount: e.amount,
        days: e.days,
        carried_added: e.carried_added ?? 0,
        expiry_before: e.before,
        expiry_after: e.after,
        detail: e.detail.slice(0, 255),
      },
      { audit: false },
    );
  } catch (error) {
    if (isDuplicateKey(error) && options.duplicate === 'skip') return false;
    if (isDuplicateKey(error)) throw new Error(`Payment ${e.payment_id} was already applied (${e.kind})`);
    throw error;
  }
  return true;
}
