import { ConflictError, type ScopedDb } from 'tessera/core';
import type { PaymentPosted, PaymentReversed } from '../../../billing/api';
import { SCHEMES_EVENTS } from '../../api';
import type { GoldPorts } from '../gold-ports';
import { GOLD, lockPlan } from '../plan-store';
import { recording } from './instalment-record';

/** The gold instalment a billing payment belongs to, from the metadata the plan wrote on it. */
export function goldPaymentIdOf(metadata: Record<string, unknown> | undefined): number | null {
  const id = Number(metadata?.gold_payment_id);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/**
 * A gold instalment's billing payment became paid (recorded paid, or confirmed later), inside
 * billing's transaction: the instalment turns paid by a guarded update (processing → paid, once,
 * whatever the retries) and the plan counts it: paid total, instalments (a flexible plan counts a
 * month once, however many payments it takes), on time, grams. The money leaves the payer's spendable
 * credit (`spendCredit` with `consume`): the scheme holds it until redemption hands it back as credit.
 */
export async function creditInstalment(ports: GoldPorts, db: ScopedDb, p: PaymentPosted): Promise<boolean> {
  const id = goldPaymentIdOf(p.metadata);
  if (!id) return false;
  // Recorded in this very transaction (recordInstalment): the plan is locked and the row known already.
  const own = recording.get(id);
  const row = own?.row ?? (await db.query(GOLD.payments).where({ id }).first('plan_id', 'month', 'on_time', 'amount', 'grams_milli', 'reference'));
  if (!row) return false;
  const plan = own?.plan ?? (await lockPlan(db, Number(row.plan_id)));
  if (plan.status === 'closed' || plan.status === 'redeemed') throw new ConflictError(`Gold plan ${plan.id} is ${plan.status}: the payment is refused`);
  const changed = await db.query(GOLD.payments).where({ id, status: 'processing' }).update({ status: 'paid', payment_id: p.payment_id, updated_at: new Date() });
  if (Number(changed) !== 1) return false;
  if (own) own.credited = true;
  let counts = true;
  if (plan.kind === 'flexible') {
    const earlier = await db.query(GOLD.payments).where({ plan_id: plan.id, month: row.month, status: 'paid' }).whereNot('id', id).first('id');
    counts = !earlier;
  }
  const onTime = Boolean(Number(row.on_time));
  await db
    .query(GOLD.plans)
    .where({ id: plan.id })
    .update({
      paid_total: plan.paid_total + Number(row.amount),
      grams_milli: plan.grams_milli + Number(row.grams_milli),
      paid_count: plan.paid_count + (counts ? 1 : 0),
      on_time_count: plan.on_time_count + (counts && onTime ? 1 : 0),
      updated_at: new Date(),
    });
  await ports.accounts().spendCredit(db, { customerId: p.customer_id, amount: p.amount, reference: `gold-instalment:${p.payment_id}`, consume: true, metadata: { gold_plan_id: plan.id } });
  // The payment-received message goes out after the commit (messaging's trigger on this event, outbox).
  await db.publish(SCHEMES_EVENTS.goldInstalmentPaid, {
    plan_id: plan.id, customer_id: plan.customer_id, contact_id: Number(p.metadata?.gold_contact_id ?? plan.customer_id), gold_payment_id: id, payment_id: p.payment_id,
    amount: p.amount, reference: String(row.reference ?? p.reference), month: String(row.month), on_time: onTime, grams_milli: Number(row.grams_milli),
  }, plan.company_id);
  return true;
}

/** Billing's reversal of a gold instalment is refused: the plan's money is settled by closing it. */
export function refuseReversal(p: PaymentReversed): void {
  if (goldPaymentIdOf(p.metadata)) throw new ConflictError(`Payment ${p.reference} is a gold scheme instalment: close the plan instead of reversing it`);
}
