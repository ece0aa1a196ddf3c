import crypto from 'node:crypto';
import type { Container } from 'inversify';
import { formProblem, parseAmount, requireId, text, type PageRoute, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';
import { LOYALTY_PERMISSIONS as P } from '../api';
import { plausibleCardNumber } from './card-number';
import { ACTIONS_OF, type CardAction, type CardRequest } from './card-moves';
import type { CardTransactions } from './card-transactions';
import { mayReachShop, reachableCard, transactionShop } from './shop-scope';
import { CARD_TYPES, type CardType } from './template-rules';

const ACTION_LABELS: Record<CardAction, string> = {
  gift: 'Gift',
  stamp: 'Add stamps',
  redeem_reward: 'Give the reward',
  use: 'Use the pass',
  purchase: 'Record a purchase',
  spend: 'Pay from the card',
  redeem: 'Redeem the coupon',
  visit: 'Check in a visit',
  add_points: 'Add points by hand',
};

function currencyOf(ctx: RequestContext): string {
  return ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.currency ?? 'EUR';
}

/** What one action's form asks for, given the card's rules. */
function actionForm(type: CardType, action: CardAction, rules: any) {
  const needsAmount = action === 'purchase' || action === 'spend' || (action === 'stamp' && rules.stamp_step !== null);
  return {
    action,
    label: ACTION_LABELS[action],
    key: crypto.randomUUID(),
    amount: needsAmount,
    count: action === 'add_points' || (action === 'stamp' && rules.stamp_step === null) || action === 'use',
    milestones: type === 'stamp' && action === 'redeem_reward' ? rules.milestones : null,
    rewards: type === 'reward' && action === 'redeem_reward' ? rules.catalogue : null,
  };
}

/**
 * The scanner, for staff at the counter (on a phone's browser too): find a card by its QR code (the
 * camera, or a picture of the code) or its typed number, see the card and its customer, and make the
 * transaction its type takes. Each form carries its own key, so a double tap is one transaction.
 */
export function scannerPages(container: Container, moves: CardTransactions): PageRoute[] {
  return [
    {
      method: 'GET', path: '/loyalty/scanner', permission: P.cardScan,
      handler: async (_ctx, { query }) => ({ view: 'loyalty/scanner', title: 'Scanner', data: { number: String(query.number ?? ''), error: query.error ? String(query.error) : null } }),
    },
    {
      method: 'GET', path: '/loyalty/scanner/find', permission: P.cardScan,
      handler: async (ctx, { query }) => {
        const typed = String(query.number ?? '');
        const number = plausibleCardNumber(typed);
        const fail = (message: string) => ({ view: 'loyalty/scanner', title: 'Scanner', status: 422, data: { number: typed, error: message } });
        if (!number) return fail(`"${typed}" is not a card number: a digit is wrong or missing.`);
        const card = await ctx.db.query('loyalty_cards').where({ number }).first('id', 'shop_id');
        if (!card || !(await mayReachShop(ctx, card.shop_id))) return fail(`No card has the number ${number}.`);
        return { redirect: `/loyalty/scanner/cards/${card.id}` };
      },
    },
    {
      method: 'GET', path: '/loyalty/scanner/cards/:id', permission: P.cardScan,
      handler: async (ctx, { params }) => {
        const card = await ctx.db.getById<Record<string, any>>('loyalty_cards', (await reachableCard(ctx, requireId(params.id))).id, 'Card');
        const template = await ctx.db.getById<Record<string, any>>('loyalty_card_templates', Number(card.template_id), 'Card template');
        const rules = typeof template.rules === 'string' ? JSON.parse(template.rules) : template.rules;
        const customer = await container.get<CustomerService>(CRM.Customers).get(ctx, Number(card.customer_id)).catch(() => null);
        const type = card.type as CardType;
        return {
          view: 'loyalty/scanner-card',
          title: `Card ${card.number}`,
          data: {
            card: { ...card, typeLabel: CARD_TYPES[type] },
            template: template.name,
            customer: customer ? { id: customer.id, name: `${customer.first_name} ${customer.last_name}`.trim(), phone: customer.phone } : null,
            forms: card.status === 'active' ? ACTIONS_OF[type].map((a) => actionForm(type, a, rules)) : [],
            history: await moves.history(ctx.db, Number(card.id), 10),
            currency: currencyOf(ctx),
          },
        };
      },
    },
    {
      method: 'POST', path: '/loyalty/scanner/cards/:id', permission: P.cardScan,
      handler: async (ctx, { params, body }) => {
        const card = await reachableCard(ctx, requireId(params.id));
        const id = card.id;
        const back = `/loyalty/scanner/cards/${id}`;
        try {
          const request: CardRequest = { action: text(body, 'action') as CardAction };
          const amount = text(body, 'amount');
          if (amount !== '') request.amount = parseAmount(amount, currencyOf(ctx)) ?? NaN;
          for (const key of ['count', 'milestone'] as const) if (text(body, key) !== '') request[key] = Number(text(body, key));
          if (text(body, 'reward') !== '') request.reward = text(body, 'reward');
          const done = await moves.transact(ctx, id, text(body, 'key'), request, await transactionShop(ctx, card, null));
          return { redirect: back, flash: { type: 'success', message: done.message } };
        } catch (error) {
          const problem = formProblem(error);
          if (!problem) throw error;
          const reasons = Object.entries(problem.errors).map(([field, reason]) => `${field === 'card' ? 'The card' : field} ${reason}`);
          return { redirect: back, flash: { type: 'error', message: reasons.length ? reasons.join('; ') : problem.message } };
        }
      },
    },
  ];
}
