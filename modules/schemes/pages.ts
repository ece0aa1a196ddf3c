import { parseAmount, toDate, type EntityService, type ModuleContext, type RequestContext } from 'tessera/core';
import { BILLING_PERMISSIONS } from '../billing/api';
import { SCHEMES_PERMISSIONS } from './api';
import type { Ports } from './billing/billing-ports';
import type { bundleEntity } from './bundles/bundle-entity';
import { registerBundlePreviewPage } from './bundles/bundle-preview-page';
import { expiryHistory } from './evaluation/reverse-payment';
import { codesOf, spaced } from './devices/device-tokens';
import { customerNames } from './crm/party-names';
import { planChoices, registerPlanChoice } from './evaluation/choose-plan';
import { registerExpiringPage } from './plans/expiring-page';
import type { PlanService } from './plans/plan-service';

export interface PageDeps {
  plans: PlanService;
  bundles: EntityService<typeof bundleEntity>;
  ports: Ports;
}

const CODE_REASONS: Record<string, string> = { payment: 'Payment', bonus: 'Bonus', unlock: 'Unlock (paid off)' };
const KINDS: Record<string, string> = { payment: 'Payment', bonus: 'Bonus', payment_reversed: 'Payment reversed', bonus_reversed: 'Bonus reversed', completed: 'Paid off' };

/** schemes' hand-written pages and panels (the entities' lists and records are derived). */
export function registerPages(m: ModuleContext, deps: PageDeps): void {
  const { plans, ports } = deps;
  const journals = async (ctx: RequestContext, companyId: number) =>
    (await ports.journals(ctx, companyId)).filter((j) => ['cash', 'bank', 'mobile_money'].includes(j.kind));

  m.views.slot({
    slot: 'schemes.pay_plan.panels',
    template: 'schemes/plan-panel',
    permission: SCHEMES_PERMISSIONS.planRead,
    data: async (ctx, page) => {
      const row = ((page.record as { row?: Record<string, unknown> })?.row ?? page.pay_plan) as { id: number; company_id: number; customer_id: number; shop_id: number | null; expiry: string; device_mode?: string };
      const events = await plans.events(ctx, row.id);
      const codes = row.device_mode === 'code' ? await plans.codes(ctx, row.id) : [];
      const canPay = ctx.can(BILLING_PERMISSIONS.paymentRecord);
      const customer = (await customerNames(ports, ctx, [row.customer_id])).get(row.customer_id) ?? { id: row.customer_id, name: `#${row.customer_id}`, phone: null };
      const shop = row.shop_id ? await ports.shops().get(ctx, row.shop_id).catch(() => null) : null;
      return {
        plan: row,
        customer,
        shop: row.shop_id ? { id: row.shop_id, name: shop?.name ?? `#${row.shop_id}` } : null,
        switchedOff: (toDate(row.expiry)?.getTime() ?? 0) <= Date.now(),
        events: events.map((e) => ({ ...e, kindLabel: KINDS[String(e.kind)] ?? e.kind })),
        schedule: await plans.schedule(ctx, row.id),
        history: await expiryHistory(ctx.db, row.id),
        codeBased: row.device_mode === 'code',
        codes: codes.reverse().map((c) => ({ ...c, spaced: spaced(c.token), reason: CODE_REASONS[c.kind] })),
        canPay,
        payJournals: canPay ? (await journals(ctx, row.company_id)).map((j) => ({ value: j.id, label: `${j.name} (${j.code})` })) : [],
      };
    },
  });

  m.routes.page({
    method: 'POST',
    path: '/schemes/plans/:id/payments',
    permission: BILLING_PERMISSIONS.paymentRecord,
    handler: async (ctx, { params, body }) => {
      const plan = await plans.get(ctx, Number(params.id));
      const back = `/schemes/plans/${plan.id}`;
      const currency = ctx.principal.companies?.find((c) => c.id === plan.company_id)?.currency ?? 'EUR';
      const amount = parseAmount(String(body.amount ?? ''), currency);
      const reference = String(body.reference ?? '').trim();
      if (!amount || amount <= 0) return { redirect: back, flash: { type: 'error', message: 'Amount: type a positive amount, e.g. 8.40' } };
      if (!reference) return { redirect: back, flash: { type: 'error', message: 'Transaction id: required' } };
      const payment = await ports.payments().record(ctx, { customerId: plan.customer_id, journalId: Number(body.journal_id), amount, method: 'mobile_money', reference, metadata: { pay_plan_id: plan.id } });
      const message = payment.created === false ? `Payment ${reference} was already recorded` : `Payment ${reference} recorded`;
      return { redirect: back, flash: { type: payment.created === false ? 'info' : 'success', message } };
    },
  });

  m.views.slot({
    slot: 'crm.customer.panels',
    template: 'schemes/customer-plans',
    permission: SCHEMES_PERMISSIONS.planRead,
    data: async (ctx, page) => ({ plans: await plans.plansOf(ctx, Number((page.customer as { id: number })?.id)) }),
  });

  m.views.slot({
    slot: 'billing.payment.panels',
    template: 'schemes/payment-panel',
    permission: SCHEMES_PERMISSIONS.planRead,
    data: async (ctx, page) => {
      const id = Number((page.payment as { id?: number })?.id);
      const rows = Number.isSafeInteger(id) ? ((await ctx.db.query('schemes_plan_events').where('payment_id', id).orderBy('id')) as Array<Record<string, unknown>>) : [];
      const payment = page.payment as { id: number; customer_id: number; status?: string } | undefined;
      const choices = payment && !rows.length && ctx.can(BILLING_PERMISSIONS.paymentRecord) ? await planChoices(ctx, payment) : [];
      const codes = rows.length ? (await codesOf(ctx.db, { payment_id: id })).map((c) => ({ ...c, spaced: spaced(c.token), reason: CODE_REASONS[c.kind] })) : [];
      return { paymentId: id, choices, codes, lines: rows.map((r) => ({ plan_id: Number(r.plan_id), kind: KINDS[String(r.kind)] ?? r.kind, days: Number(r.days), amount: Number(r.amount), detail: r.detail, expiry_after: r.expiry_after })) };
    },
  });

  registerPlanChoice(m, ports);
  registerExpiringPage(m, plans, ports);
  registerBundlePreviewPage(m, ports);
}
