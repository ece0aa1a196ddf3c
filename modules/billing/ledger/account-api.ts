import { idParams, type ApiRoute } from 'tessera/core';
import { BILLING_PERMISSIONS as P } from '../api';
import type { BillingServices } from '../services';
import { body } from '../shared/api-schemas';
import { assertCustomer } from '../shared/customer-check';
import { statementOf } from './statement';
import { csvLine, sendCsv } from '../reports/csv-export';
import { statementPdf } from '../printing/statement-pdf';

const day = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };

/** A customer's receivables over JSON: balance, statement (JSON, CSV or PDF), billing profile. */
export function accountApiRoutes(s: BillingServices): ApiRoute[] {
  return [
    { method: 'GET', path: '/customers/{id}/balance', permission: P.documentRead, summary: 'Balance (sum of the ledger), credit available and open invoices of a customer', params: idParams,
      handler: async (ctx, { params }) => {
        await assertCustomer(ctx, params.id, 'id');
        return s.accounts.balance(ctx, params.id);
      } },
    { method: 'GET', path: '/customers/{id}/statement', permission: P.documentRead, summary: 'The customer statement with a running balance; `format=csv` or `pdf` downloads it', params: idParams,
      query: { type: 'object', additionalProperties: false, properties: { from: day, to: day, format: { type: 'string', enum: ['json', 'csv', 'pdf'], default: 'json' } } },
      handler: async (ctx, { params, query }, _req, res) => {
        await assertCustomer(ctx, params.id, 'id');
        const statement = await statementOf(ctx.db, params.id, query);
        if (query.format === 'pdf') return statementPdf(ctx, statement, res);
        if (query.format !== 'csv') return statement;
        return sendCsv(res, `statement-${params.id}.csv`, (async function* () {
          yield csvLine(['date', 'description', 'debit', 'credit', 'balance']);
          yield csvLine([statement.from ?? '', 'Opening balance', '', '', statement.opening_balance]);
          for (const l of statement.lines) yield csvLine([l.date, l.description, l.debit, l.credit, l.balance]);
        })());
      } },
    { method: 'GET', path: '/customers/{id}/profile', permission: P.documentRead, summary: 'The customer\'s billing profile', params: idParams,
      handler: async (ctx, { params }) => {
        await assertCustomer(ctx, params.id, 'id');
        return s.accounts.profile(ctx, params.id);
      } },
    { method: 'PUT', path: '/customers/{id}/profile', permission: P.profileManage, summary: 'Change the billing profile (tax exemption applies to documents made from now on)', params: idParams,
      body: body([], { tax_exempt: { type: 'boolean' }, credit_limit: { type: ['integer', 'null'], minimum: 0 }, payment_terms_days: { type: 'integer', minimum: 0, maximum: 365 } }),
      handler: async (ctx, { params, body: b }) => {
        await assertCustomer(ctx, params.id, 'id');
        return s.accounts.setProfile(ctx, params.id, b);
      } },
  ];
}
