import { requireId, text, type PageRoute, type SlotContribution } from 'tessera/core';
import { BILLING_PERMISSIONS as P } from '../api';
import type { BillingServices } from '../services';
import { statementOf } from './statement';
import { companyFacts } from '../shared/caller';
import { customerName } from '../crm/customer-name';
import { listDocuments } from '../documents/document-list';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The customer statement page (CSV and PDF through the API) and billing's panel on crm's customer page. */
export function statementPageRoutes(s: BillingServices): PageRoute[] {
  return [
    {
      method: 'GET', path: '/billing/customers/:id/statement', permission: P.documentRead,
      handler: async (ctx, { params, query }) => {
        const id = requireId(params.id);
        const range = { from: DAY.test(text(query, 'from')) ? text(query, 'from') : undefined, to: DAY.test(text(query, 'to')) ? text(query, 'to') : undefined };
        const statement = await statementOf(ctx.db, id, range);
        const facts = await companyFacts(ctx.db);
        const suffix = `${range.from ? `&from=${range.from}` : ''}${range.to ? `&to=${range.to}` : ''}`;
        return {
          view: 'billing/statement',
          title: 'Customer statement',
          data: { statement, currency: facts.currency, customer: { id, name: await customerName(ctx, id) }, balance: await s.accounts.balance(ctx, id), csv: `/api/v1/billing/customers/${id}/statement?format=csv${suffix}`, pdf: `/api/v1/billing/customers/${id}/statement?format=pdf${suffix}` },
        };
      },
    },
  ];
}

export function customerPanel(s: BillingServices): SlotContribution {
  return {
    slot: 'crm.customer.panels',
    template: 'billing/customer-panel',
    permission: P.documentRead,
    order: 20,
    data: async (ctx, page) => {
      const customer = page.customer as { id: number } | undefined;
      if (!customer) return {};
      const [balance, profile, open] = await Promise.all([s.accounts.balance(ctx, customer.id), s.accounts.profile(ctx, customer.id), listDocuments(ctx.db, 'invoice', { customer_id: customer.id, status: 'open', limit: 5 })]);
      return { billing: { customerId: customer.id, balance, profile, open: open.data } };
    },
  };
}
