import { ValidationError, type ModuleContext, type RequestContext } from 'tessera/core';
import { BILLING_PERMISSIONS } from '../../billing/api';
import type { Ports } from '../billing/billing-ports';
import { PLANS, PLAN_EVENTS } from '../plans/plan-service';
import { applyPayment } from './apply-payment';

/**
 * A payment of a customer with several active plans that named none stays customer credit; its page
 * asks which plan it was for, and applying it then is the same application as at posting (once: the
 * unique key per payment holds).
 */
export function registerPlanChoice(m: ModuleContext, ports: Ports): void {
  m.routes.page({
    method: 'POST',
    path: '/schemes/payments/:id/apply',
    permission: BILLING_PERMISSIONS.paymentRecord,
    handler: async (ctx, { params, body }) => {
      const payment = await ports.payments().get(ctx, Number(params.id));
      const back = `/billing/payments/${payment.id}`;
      const planId = Number(body.plan_id);
      if (payment.status !== 'paid') return { redirect: back, flash: { type: 'error', message: 'Only a paid payment can be applied to a plan' } };
      const result = await ctx.db.transaction(async (db) => {
        const plan = await db.query(PLANS).where({ id: planId, customer_id: payment.customer_id }).first('id');
        if (!plan) throw new ValidationError({ plan_id: 'is not a plan of this customer' });
        return applyPayment(ports, db, payment.company_id, {
          payment_id: payment.id,
          customer_id: payment.customer_id,
          journal_id: payment.journal_id,
          journal_code: '',
          amount: payment.amount,
          currency: payment.currency,
          method: payment.method,
          reference: payment.reference,
          allocations: payment.allocations,
          metadata: { ...payment.metadata, pay_plan_id: planId },
          paid_at: payment.paid_at ?? new Date().toISOString(),
        });
      });
      if (result.plan === null) return { redirect: back, flash: { type: 'error', message: `Not applied: ${result.reason}` } };
      return { redirect: back, flash: { type: 'success', message: `Applied to pay plan #${result.plan}: ${result.days} days${result.bonus ? ` and ${result.bonus.name}` : ''}` } };
    },
  });
}

/** The plans a payment could still be applied to: none when it was applied, or when one plan took it at posting. */
export async function planChoices(ctx: RequestContext, payment: { id: number; customer_id: number; status?: string }) {
  if (payment.status !== 'paid') return [];
  if (await ctx.db.query(PLAN_EVENTS).where({ payment_id: payment.id, kind: 'payment' }).first('id')) return [];
  const plans = (await ctx.db.query(PLANS).where({ customer_id: payment.customer_id, status: 'active' }).orderBy('id').select('id', 'device_serial', 'product_code')) as Array<{ id: number; device_serial: string | null; product_code: string }>;
  return plans.length > 1 ? plans : [];
}
