import { EntityService, ValidationError, startOfDay, toDate, type EntityHooks, type RequestContext, type ScopedDb } from 'tessera/core';
import type { PayPlanService, PayPlanSummary } from '../api';
import type { Ports } from '../billing/billing-ports';
import { deviceValues } from '../devices/device-fields';
import { codesOf, type DeviceCode } from '../devices/device-tokens';
import { companyZone } from './company-clock';
import { addCalendarDays, dayOf } from './plan-expiry';
import { planEntity, type PayPlan, type PlanRow } from './plan-entity';
import { planSchedule, scheduleProblems } from './plan-schedule';

export const PLANS = 'schemes_pay_plans';
export const INSTALMENTS = 'schemes_plan_instalments';
export const PLAN_EVENTS = 'schemes_plan_events';

type Values = Record<string, unknown>;

/**
 * Creating a plan: the customer and product are checked through crm and billing, the expiry starts at
 * the start date, the schedule is written, and the invoices already due (the deposit) are issued through
 * billing in the same transaction, so what the customer owes is what billing says.
 */
export function planHooks(ports: Ports): EntityHooks<PayPlan> {
  return {
    async beforeCreate(ctx, values) {
      const errors = scheduleProblems({
        total: values.total as number,
        deposit: (values.deposit as number) ?? 0,
        instalmentAmount: values.instalment_amount as number,
        instalmentDays: values.instalment_days as number,
      });
      const customer = await ports.customers().get(ctx, values.customer_id as number).catch(() => null);
      if (!customer || customer.company_id !== values.company_id) errors.customer_id = `customer ${values.customer_id} does not exist`;
      const product = await ports.catalog().productByCode(ctx.db, String(values.product_code)).catch(() => null);
      if (!product) errors.product_code = `no active product has the code ${values.product_code}`;
      const device = await deviceValues(ports.secrets(), values, null, errors);
      if (Object.keys(errors).length) throw new ValidationError(errors);
      const zone = await companyZone(ports, ctx.db, values.company_id);
      const total = values.total as number;
      return { ...device, shop_id: customer!.shop_id ?? null, expiry: startOfDay(String(values.start_date), zone), owed: total, paid: 0, discount: 0, carried_scaled: 0, carried_credit: 0 };
    },
    async afterWrite(ctx, change) {
      if (change.action !== 'create' || !change.row) return;
      const plan = change.row;
      const rows = planSchedule({ total: plan.total, deposit: plan.deposit, instalmentAmount: plan.instalment_amount, instalmentDays: plan.instalment_days });
      if (rows.length) {
        await ctx.db.unscoped('rows of the plan just created in this company').table(INSTALMENTS).insert(
          rows.map((r) => ({ company_id: plan.company_id, plan_id: plan.id, seq: r.seq, amount: r.amount, due_date: addCalendarDays(plan.start_date, r.dueAfterDays) })),
        );
      }
      const zone = await companyZone(ports, ctx.db, plan.company_id);
      await invoiceDue(ports, ctx.db, plan.id, dayOf(new Date(), zone));
    },
    async beforeUpdate(ctx, changes, before) {
      const money = ['customer_id', 'product_code', 'total', 'deposit', 'instalment_amount', 'instalment_days', 'start_date'].filter((k) => k in changes);
      if (money.length) throw new ValidationError(Object.fromEntries(money.map((k) => [k, 'cannot change once the plan is signed'])));
      if (changes.status === 'completed' && (before.owed ?? 0) > 0) throw new ValidationError({ status: 'a plan is completed by its last payment' });
      if (!['device_mode', 'device_secret', 'device_starting_code'].some((k) => k in changes)) return {};
      // The secret is never in a row: whether the plan has one is read from its column.
      const stored = await ctx.db.query(PLANS).where('id', before.id).first('device_secret');
      const errors: Record<string, string> = {};
      const device = await deviceValues(ports.secrets(), changes, { ...before, has_device_secret: Boolean(stored?.device_secret) }, errors);
      if (Object.keys(errors).length) throw new ValidationError(errors);
      return device;
    },
  };
}

/**
 * Issues the plan's invoices due on or before `day` through billing, once each: the invoice's origin is
 * the schedule row, so a retried job answers the same invoice, and the row keeps its id.
 */
export async function invoiceDue(ports: Ports, db: ScopedDb, planId: number, day: string): Promise<number> {
  const plan = (await db.findById<Values>(PLANS, planId)) as Values | undefined;
  if (!plan || plan.status !== 'active') return 0;
  const due = (await db.query(INSTALMENTS).where({ plan_id: planId }).whereNull('invoice_id').where('due_date', '<=', day).orderBy('seq')) as Values[];
  for (const row of due) {
    const invoice = await ports.documents().createInvoice(db, {
      customerId: Number(plan.customer_id),
      lines: [{ productCode: String(plan.product_code), quantity: 1, unitPrice: Number(row.amount), description: Number(row.seq) === 0 ? 'Deposit' : `Instalment ${row.seq}`, taxExempt: true }],
      origin: { module: 'schemes', key: `plan:${planId}:${row.seq}` },
      metadata: { pay_plan_id: planId, seq: Number(row.seq) },
      dueDate: String(row.due_date),
      post: true,
    });
    await db.unscoped('a schedule row of a plan read through the scoped query above').table(INSTALMENTS).where({ id: row.id }).update({ invoice_id: invoice.id });
  }
  return due.length;
}

/** The plan service other modules use (crm's customer panel, billing's payment panel). */
export class PlanService extends EntityService<typeof planEntity> implements PayPlanService {
  async plansOf(caller: ScopedDb | RequestContext, customerId: number): Promise<PayPlanSummary[]> {
    const db = 'db' in caller && 'container' in caller ? caller.db : (caller as ScopedDb);
    const rows = (await db.query(PLANS).where('customer_id', customerId).orderBy('id', 'desc').limit(50)) as PlanRow[];
    return rows.map((r) => {
      const row = this.toRow(r);
      return { id: row.id, customer_id: row.customer_id, product_code: row.product_code, status: row.status, expiry: String(row.expiry), total: row.total, owed: row.owed ?? 0, days_bought: row.days_bought ?? 0, bonus_days: row.bonus_days ?? 0 };
    });
  }

  /** The plan's ledger: payments applied, days bought, bonuses, reversals, expiry before and after. */
  async events(ctx: RequestContext, planId: number): Promise<Values[]> {
    await this.get(ctx, planId);
    const rows = (await ctx.db.query(PLAN_EVENTS).where('plan_id', planId).orderBy('id')) as Values[];
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      payment_id: r.payment_id == null ? null : Number(r.payment_id),
      bundle_id: r.bundle_id == null ? null : Number(r.bundle_id),
      credit_note_id: r.credit_note_id == null ? null : Number(r.credit_note_id),
      amount: Number(r.amount),
      days: Number(r.days),
      expiry_before: toDate(r.expiry_before)?.toISOString() ?? null,
      expiry_after: toDate(r.expiry_after)?.toISOString() ?? null,
      detail: String(r.detail ?? ''),
      created_at: toDate(r.created_at)?.toISOString() ?? null,
    }));
  }

  /** A code-based device's activation codes, oldest first (a plan with a connected device has none). */
  async codes(ctx: RequestContext, planId: number): Promise<DeviceCode[]> {
    await this.get(ctx, planId);
    return codesOf(ctx.db, { plan_id: planId });
  }

  async schedule(ctx: RequestContext, planId: number): Promise<Values[]> {
    await this.get(ctx, planId);
    const rows = (await ctx.db.query(INSTALMENTS).where('plan_id', planId).orderBy('seq')) as Values[];
    return rows.map((r) => ({ seq: Number(r.seq), amount: Number(r.amount), due_date: String(r.due_date), invoice_id: r.invoice_id == null ? null : Number(r.invoice_id) }));
  }
}
