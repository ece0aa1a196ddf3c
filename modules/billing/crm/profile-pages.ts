import { checkbox, formatAmount, formProblem, parseAmount, requireId, text, type PageRoute } from 'tessera/core';
import { BILLING_PERMISSIONS as P } from '../api';
import type { BillingServices } from '../services';
import { companyFacts } from '../shared/caller';
import { customerName } from './customer-name';

/** A customer's billing profile (tax exemption, credit limit, payment terms), reached from crm's customer page. */
export function profilePageRoutes(s: BillingServices): PageRoute[] {
  return [
    {
      method: 'GET', path: '/billing/customers/:id/profile', permission: P.profileManage,
      handler: async (ctx, { params }) => {
        const id = requireId(params.id);
        const facts = await companyFacts(ctx.db);
        const profile = await s.accounts.profile(ctx, id);
        return { view: 'billing/profile-form', title: 'Billing profile', data: { id, name: await customerName(ctx, id), profile, limit: profile.credit_limit === null ? '' : formatAmount(profile.credit_limit, facts.currency) } };
      },
    },
    {
      method: 'POST', path: '/billing/customers/:id/profile', permission: P.profileManage,
      handler: async (ctx, { params, body }) => {
        const id = requireId(params.id);
        const facts = await companyFacts(ctx.db);
        try {
          const limit = text(body, 'credit_limit');
          await s.accounts.setProfile(ctx, id, {
            tax_exempt: checkbox(body, 'tax_exempt'),
            credit_limit: limit === '' ? null : (parseAmount(limit, facts.currency) ?? NaN),
            payment_terms_days: Number(text(body, 'payment_terms_days') || 30),
          });
          return { redirect: `/crm/customers/${id}`, flash: { type: 'success', message: 'Billing profile saved.' } };
        } catch (error) {
          const problem = formProblem(error);
          if (!problem) throw error;
          return { redirect: `/billing/customers/${id}/profile`, flash: { type: 'error', message: problem.message } };
        }
      },
    },
  ];
}
