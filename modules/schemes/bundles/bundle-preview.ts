import { ValidationError, type RequestContext } from 'tessera/core';
import type { Ports } from '../billing/billing-ports';
import { explain, VERDICT_TEXT, type BundleRule } from './bundle-rules';
import { activeBundles } from './bundle-store';
import { companyZone } from '../plans/company-clock';
import { purchase, valueOfDays } from '../plans/plan-days';
import { addDays, dayOf, extendExpiry } from '../plans/plan-expiry';
import { PLANS } from '../plans/plan-service';
import { toDate } from 'tessera/core';

export interface PreviewInput {
  customer_id: number;
  amount: number;
  journal_id: number;
  pay_plan_id?: number;
}

/**
 * "For a payment of X by customer Y today, this is what happens": the days it buys on the plan, the
 * bundle it earns and why every other bundle does not apply. Writes nothing.
 */
export async function previewPayment(ports: Ports, ctx: RequestContext, input: PreviewInput) {
  const customer = await ports.customers().get(ctx, input.customer_id).catch(() => null);
  if (!customer) throw new ValidationError({ customer_id: `customer ${input.customer_id} does not exist` });
  const companyId = Number(customer.company_id);
  const plans = (await ctx.db.query(PLANS).where({ customer_id: customer.id, ...(input.pay_plan_id ? { id: input.pay_plan_id } : { status: 'active' }) })) as Array<Record<string, any>>;
  if (plans.length !== 1) throw new ValidationError({ pay_plan_id: plans.length ? 'the customer has several active plans: choose one' : 'the customer has no active pay plan' });
  const plan = plans[0];
  const rate = { instalmentAmount: Number(plan.instalment_amount), instalmentDays: Number(plan.instalment_days) };
  const applied = Math.min(input.amount, Number(plan.owed));
  const bought = purchase(rate, applied, Number(plan.carried_scaled));
  const zone = await companyZone(ports, ctx.db, companyId);
  const now = new Date();
  const expiry = extendExpiry(toDate(plan.expiry) as Date, now, bought.days, zone);
  const groups = await ports.groups().groupsOf(ctx, customer.id);
  const bundles: BundleRule[] = await activeBundles(ctx.db, companyId);
  const rows = explain(bundles, { ownDays: bought.ownDays, journalId: input.journal_id, day: dayOf(now, zone), groupIds: new Set(groups.map((g) => g.id)) });
  const winner = rows.find((r) => r.verdict === 'awarded')?.bundle ?? null;
  return {
    pay_plan_id: Number(plan.id),
    applied,
    days: bought.days,
    own_days: bought.ownDays,
    carried_credit_after: Math.floor(bought.carriedScaled / rate.instalmentDays),
    expiry: expiry.toISOString(),
    bundle: winner && {
      id: winner.id,
      name: winner.name,
      type: winner.type,
      reward_days: winner.reward_days,
      credit_note_amount: winner.type === 'cash_discount' ? Math.min(valueOfDays(rate, winner.reward_days), Number(plan.owed) - applied) : 0,
      expiry_with_bonus: addDays(expiry, winner.reward_days, zone).toISOString(),
    },
    bundles: rows.map((r) => ({ id: r.bundle.id, name: r.bundle.name, trigger_days: r.bundle.trigger_days, reward_days: r.bundle.reward_days, verdict: r.verdict, reason: VERDICT_TEXT[r.verdict] })),
  };
}
