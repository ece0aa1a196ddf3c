import { attempt, parseAmount, type ModuleContext } from 'tessera/core';
import { SCHEMES_PERMISSIONS } from '../api';
import type { Ports } from '../billing/billing-ports';
import { previewPayment } from './bundle-preview';

/** "For a payment of X by customer Y today, this is what happens", as a page of the bundles menu. */
export function registerBundlePreviewPage(m: ModuleContext, ports: Ports): void {
  m.routes.page({
    method: 'GET',
    path: '/crm/bundles/preview',
    permission: SCHEMES_PERMISSIONS.bundleRead,
    handler: async (ctx, { query }) => {
      const values = { customer_id: String(query.customer_id ?? ''), amount: String(query.amount ?? ''), journal_id: String(query.journal_id ?? '') };
      const currency = ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.currency ?? 'EUR';
      let result = null;
      let errors: Record<string, string> = {};
      if (values.customer_id && values.amount && values.journal_id) {
        const amount = parseAmount(values.amount, currency);
        if (!amount || amount <= 0) errors = { amount: 'type a positive amount, e.g. 8.40' };
        else {
          const outcome = await attempt(() => previewPayment(ports, ctx, { customer_id: Number(values.customer_id), amount, journal_id: Number(values.journal_id) }));
          if (outcome.ok) result = outcome.value;
          else errors = outcome.errors;
        }
      }
      return { view: 'schemes/bundle-preview', title: 'Preview a payment', data: { values, result, errors } };
    },
  });
}
