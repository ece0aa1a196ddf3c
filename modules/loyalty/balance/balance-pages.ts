import { formProblem, parseAmount, type EntityService, type ModuleContext, type RequestContext } from 'tessera/core';
import type { Journal } from '../../billing/api';
import { LOYALTY_PERMISSIONS as P } from '../api';
import { BALANCE_JOURNAL_CODE } from './balance-ports';
import { balancesOutstanding, cashbackPerMonth } from './balance-reports';
import type { BalanceService } from './balance-service';

const KINDS: Record<string, string> = {
  recharge: 'Recharge', bonus: 'Recharge bonus', payment: 'Paid from balance', payment_reversed: 'Payment reversed',
  cashback: 'Cashback', cashback_reversed: 'Cashback taken back', refund: 'Order refund', adjustment: 'Adjustment',
};
const METHODS = ['cash', 'card', 'bank', 'mobile_money', 'online'].map((m) => ({ value: m, label: m.replace('_', ' ') }));

function currencyOf(ctx: RequestContext): string {
  return ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.currency ?? 'EUR';
}

/** The customer page's balance panel, its two forms (recharge, adjust) and the balance reports page. */
export function registerBalancePages(m: ModuleContext, service: BalanceService): void {
  const journals = async (ctx: RequestContext) => {
    const list = (await m.container.get<EntityService<any>>(Symbol.for('billing.journal')).list(ctx, { companyId: ctx.companyId })) as unknown as Journal[];
    return list.filter((j) => ['cash', 'bank', 'mobile_money'].includes(j.kind) && j.code !== BALANCE_JOURNAL_CODE).map((j) => ({ value: j.id, label: `${j.name} (${j.code})` }));
  };

  m.views.slot({
    slot: 'crm.customer.panels',
    template: 'loyalty/balance-panel',
    permission: P.balanceRead,
    order: 32,
    data: async (ctx, page) => {
      const id = Number((page.customer as { id?: number } | undefined)?.id);
      if (!Number.isSafeInteger(id)) return {};
      const summary = await service.summary(ctx, id, 50);
      const canRecharge = ctx.can(P.balanceRecharge);
      return {
        payon: {
          ...summary,
          customerId: id,
          lines: summary.ledger.map((l) => ({ ...l, kindLabel: KINDS[l.kind] ?? l.kind })),
          canRecharge,
          canAdjust: ctx.can(P.balanceAdjust),
          journals: canRecharge ? await journals(ctx) : [],
          methods: METHODS,
        },
      };
    },
  });

  const back = (id: number) => `/crm/customers/${id}`;
  const fail = (id: number, error: unknown) => {
    const problem = formProblem(error);
    if (!problem) throw error;
    const detail = Object.entries(problem.errors).map(([k, v]) => `${k}: ${v}`).join('; ');
    return { redirect: back(id), flash: { type: 'error' as const, message: `${problem.message}${detail ? ` ${detail}` : ''}` } };
  };

  m.routes.page({
    method: 'POST', path: '/loyalty/customers/:id/recharge', permission: P.balanceRecharge,
    handler: async (ctx, { params, body }) => {
      const id = Number(params.id);
      const amount = parseAmount(String(body.amount ?? ''), currencyOf(ctx));
      if (!amount || amount <= 0) return { redirect: back(id), flash: { type: 'error', message: 'Amount: type a positive amount, e.g. 50.00' } };
      try {
        const { payment } = await service.recharge(ctx, { customer_id: id, amount, journal_id: Number(body.journal_id), method: String(body.method) as never, reference: String(body.reference ?? '').trim() });
        return { redirect: back(id), flash: { type: payment.created === false ? 'info' : 'success', message: payment.created === false ? `Recharge ${payment.reference} was already recorded` : `Recharge ${payment.reference} recorded` } };
      } catch (error) {
        return fail(id, error);
      }
    },
  });

  m.routes.page({
    method: 'POST', path: '/loyalty/customers/:id/adjust', permission: P.balanceAdjust,
    handler: async (ctx, { params, body }) => {
      const id = Number(params.id);
      const text = String(body.amount ?? '').trim();
      const negative = text.startsWith('-');
      const magnitude = parseAmount(negative ? text.slice(1) : text, currencyOf(ctx));
      if (!magnitude) return { redirect: back(id), flash: { type: 'error', message: 'Amount: type a signed amount, e.g. -5.00 or 12.50' } };
      try {
        await service.adjust(ctx, id, negative ? -magnitude : magnitude, String(body.reason ?? ''), String(body.form_key ?? '') || undefined);
        return { redirect: back(id), flash: { type: 'success', message: 'Balance adjusted' } };
      } catch (error) {
        return fail(id, error);
      }
    },
  });

  m.routes.page({
    method: 'POST', path: '/loyalty/customers/:id/credit-limit', permission: P.balanceAdjust,
    handler: async (ctx, { params, body }) => {
      const id = Number(params.id);
      const limit = parseAmount(String(body.credit_limit ?? '0').trim() || '0', currencyOf(ctx));
      try {
        await service.setCreditLimit(ctx, id, limit ?? -1);
        return { redirect: back(id), flash: { type: 'success', message: 'Credit limit saved' } };
      } catch (error) {
        return fail(id, error);
      }
    },
  });

  m.routes.page({
    method: 'GET', path: '/loyalty/balance-reports', permission: P.balanceRead,
    handler: async (ctx) => {
      const [outstanding, months] = await Promise.all([balancesOutstanding(ctx.db, ctx.companyId), cashbackPerMonth(ctx.db, ctx.companyId)]);
      const currency = currencyOf(ctx);
      // The chart plots integer minor units (no float conversion); the table shows them formatted.
      const chart = {
        type: 'bar',
        data: {
          labels: months.map((x) => x.month),
          datasets: [
            { label: `Cashback credited (${currency} minor units)`, data: months.map((x) => x.credited), backgroundColor: '#2e7d32' },
            { label: 'Taken back', data: months.map((x) => x.taken_back), backgroundColor: '#c62828' },
          ],
        },
      };
      return { view: 'loyalty/balance-reports', title: 'Prepaid balance reports', data: { outstanding, months, currency, chart } };
    },
  });
}
