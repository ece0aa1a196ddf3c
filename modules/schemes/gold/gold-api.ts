import { idParams, type ApiRoute } from 'tessera/core';
import { SCHEMES_PERMISSIONS as P } from '../api';
import type { GoldPlanServiceImpl } from './gold-plan-service';
import { MODES } from './gold-ports';
import { sendLedgerCsv, sendLedgerPdf } from './ledger-export';
import { readPlan } from './plan-store';

const MONTH = { type: 'string', pattern: '^\\d{4}-(0[1-9]|1[0-2])$' };
const INSTALMENT = {
  type: 'object',
  properties: {
    id: { type: 'integer' }, plan_id: { type: 'integer' }, payment_id: { type: ['integer', 'null'] }, payer_id: { type: 'integer' }, reference: { type: 'string' }, mode: { type: 'string' },
    amount: { type: 'integer' }, status: { type: 'string', enum: ['processing', 'paid', 'failed', 'reversed'] }, month: { type: 'string' }, paid_at: { type: 'string' }, on_time: { type: 'boolean' },
    rate: { type: ['integer', 'null'] }, grams_milli: { type: 'integer' }, created: { type: 'boolean' },
  },
};
const LEDGER_ROW = {
  type: 'object',
  properties: {
    date: { type: 'string' }, kind: { type: 'string', enum: ['instalment', 'bonus', 'closed', 'redeemed'] }, month: { type: ['string', 'null'] }, reference: { type: ['string', 'null'] }, mode: { type: ['string', 'null'] },
    amount: { type: 'integer' }, on_time: { type: ['boolean', 'null'] }, grams_milli: { type: 'integer' }, rate: { type: ['integer', 'null'] }, balance: { type: 'integer' }, detail: { type: 'string' },
  },
};

/**
 * The gold plans' JSON API beyond the derived entity routes (`GET/POST /gold-schemes`, `/gold-rates`,
 * `/gold-plans`): one route per action, each with its own permission.
 */
export function goldApiRoutes(gold: GoldPlanServiceImpl): ApiRoute[] {
  const id = (params: { id: string }) => Number(params.id);
  return [
    {
      method: 'GET', path: '/gold-plans/{id}/details', permission: P.planRead, params: idParams,
      summary: "A gold plan with its effective status, schedule (paid, late, missed, due, upcoming, paused), bonus earned so far and grams.",
      handler: async (ctx, { params }) => gold.get(ctx, id(params)),
    },
    {
      method: 'POST', path: '/gold-plans/{id}/payments', permission: P.planPay, params: idParams, status: 201, idempotent: true,
      summary: 'Records an instalment through billing (offline with its reference, or online as processing until paid/failed). The same reference or Idempotency-Key answers the same instalment; a fixed plan refuses a second instalment in a month (409 with the reason).',
      body: {
        type: 'object', required: ['amount', 'mode', 'reference'], additionalProperties: false,
        properties: {
          amount: { type: 'integer', minimum: 1 }, mode: { type: 'string', enum: [...MODES] }, reference: { type: 'string', minLength: 1, maxLength: 100 },
          status: { type: 'string', enum: ['processing', 'paid', 'failed'] }, paid_at: { type: 'string', format: 'date-time' }, payer_id: { type: 'integer', minimum: 1 }, journal_id: { type: 'integer', minimum: 1 },
        },
      },
      response: INSTALMENT,
      handler: async (ctx, { params, body }, req) => gold.pay(ctx, id(params), { ...body, idempotency_key: req.get('Idempotency-Key') ?? undefined }),
    },
    {
      method: 'GET', path: '/gold-plans/{id}/payments', permission: P.planRead, params: idParams,
      summary: "The plan's instalments in every status (processing, paid, failed).",
      response: { type: 'object', properties: { data: { type: 'array', items: INSTALMENT } } },
      handler: async (ctx, { params }) => ({ data: await gold.payments(ctx, id(params)) }),
    },
    {
      method: 'POST', path: '/gold-plans/{id}/pause', permission: P.planPause, params: idParams,
      summary: 'Pauses the plan for N months (from the current month, or from_month): the remaining due months and maturity move by N; nothing is missed meanwhile.',
      body: { type: 'object', required: ['months'], additionalProperties: false, properties: { months: { type: 'integer', minimum: 1, maximum: 12 }, from_month: MONTH } },
      handler: async (ctx, { params, body }) => gold.pause(ctx, id(params), body),
    },
    {
      method: 'POST', path: '/gold-plans/{id}/change-tier', permission: P.planChange, params: idParams,
      summary: 'Upgrades or downgrades the tier from the next instalment; the bonus is prorated by months at each amount. With "preview": true, answers the effect and changes nothing.',
      body: { type: 'object', required: ['tier'], additionalProperties: false, properties: { tier: { type: 'string', minLength: 1, maxLength: 32 }, preview: { type: 'boolean' } } },
      handler: async (ctx, { params, body }) => (body.preview ? gold.previewTierChange(ctx, id(params), body.tier) : gold.changeTier(ctx, id(params), body.tier)),
    },
    {
      method: 'POST', path: '/gold-plans/{id}/close-code', permission: P.planClose, params: idParams,
      summary: "Sends the one-time close code by SMS to the customer's phone (a family sub-account's main customer).",
      handler: async (ctx, { params }) => gold.sendCloseCode(ctx, id(params)),
    },
    {
      method: 'POST', path: '/gold-plans/{id}/close', permission: P.planClose, params: idParams,
      summary: 'Closes the plan with the code (wrong or expired: 422 naming code, the plan stays as it was). Records closed_by (the signed-in user or the team member given) and closed_at; hands what was paid (and the bonus at maturity, or when the scheme keeps it) to billing as credit.',
      body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 1, maxLength: 12 }, closed_by: { type: 'integer', minimum: 1 } } },
      handler: async (ctx, { params, body }) => gold.close(ctx, id(params), body),
    },
    {
      method: 'POST', path: '/gold-plans/{id}/redeem', permission: P.planRedeem, params: idParams,
      summary: "Redeems a matured plan within the scheme's redemption window: paid + bonus becomes a billing credit note the customer spends on an invoice (never cash).",
      handler: async (ctx, { params }) => gold.redeem(ctx, id(params)),
    },
    {
      method: 'GET', path: '/gold-plans/{id}/ledger', permission: P.planRead, params: idParams,
      query: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['json', 'csv', 'pdf'] } } },
      summary: "The plan's ledger: paid instalments with the running balance held, the bonus and what was handed to billing. `format=csv` or `format=pdf` (or the Accept header) for a download.",
      response: { type: 'object', properties: { data: { type: 'array', items: LEDGER_ROW } } },
      handler: async (ctx, { params, query }, req, res) => {
        const planId = id(params);
        const rows = await gold.ledger(ctx, planId);
        const accept = req.get('Accept') ?? '';
        if (query.format === 'csv' || (!query.format && accept.includes('text/csv'))) return sendLedgerCsv(res, planId, rows);
        if (query.format === 'pdf' || (!query.format && accept.includes('application/pdf'))) return sendLedgerPdf(ctx.db, res, await readPlan(ctx.db, planId), rows);
        return { data: rows };
      },
    },
  ];
}
