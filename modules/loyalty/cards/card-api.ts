import { idParams, idSchema, NotFoundError, ValidationError, type ApiRoute } from 'tessera/core';
import { LOYALTY_PERMISSIONS as P } from '../api';
import { plausibleCardNumber } from './card-number';
import type { CardTransactions } from './card-transactions';
import { managerShops, mayReachShop, reachableCard, transactionShop } from './shop-scope';

const transaction = {
  type: 'object',
  required: ['key', 'action'],
  additionalProperties: false,
  properties: {
    key: { type: 'string', minLength: 1, maxLength: 80, description: 'The same for a retry of one transaction (a double tap): it is made once.' },
    action: { type: 'string', enum: ['stamp', 'redeem_reward', 'use', 'purchase', 'spend', 'redeem', 'visit', 'add_points'] },
    amount: { type: 'integer', minimum: 1, description: 'Minor units: a purchase, or what is spent from the card.' },
    count: { type: 'integer', minimum: 0, description: 'Stamps, uses or points.' },
    milestone: { type: 'integer', minimum: 1, description: "A stamp card's reward, by its number of stamps." },
    reward: { type: 'string', maxLength: 120, description: "A reward card's catalogue item." },
    shop_id: idSchema,
  },
};

/** The scanner's JSON face: find a card by its number, make a transaction, read a card's transactions. */
export function cardApiRoutes(moves: CardTransactions): ApiRoute[] {
  return [
    {
      method: 'GET', path: '/cards/lookup', permission: P.cardScan, summary: 'Find a card by its number (as typed or scanned)', tags: ['Cards'],
      query: { type: 'object', required: ['number'], properties: { number: { type: 'string', maxLength: 40 } } },
      handler: async (ctx, { query }) => {
        const number = plausibleCardNumber(String(query.number));
        if (!number) throw new ValidationError({ number: 'is not a card number (a digit is wrong or missing)' });
        const card = await ctx.db.query('loyalty_cards').where({ number }).first('id', 'shop_id');
        if (!card || !(await mayReachShop(ctx, card.shop_id))) throw new NotFoundError('Card');
        return { id: Number(card.id) };
      },
    },
    {
      method: 'POST', path: '/cards/{id}/transactions', permission: P.cardScan, summary: "Make a transaction of the card's type", tags: ['Cards'], status: 201,
      params: idParams,
      body: transaction,
      handler: async (ctx, { params, body }) => {
        // One indexed read (the user's shops) for everyone; the card's shop is read only for a limited manager.
        const card = (await managerShops(ctx)) === null ? { id: Number(params.id), shop_id: null } : await reachableCard(ctx, Number(params.id));
        return moves.transact(ctx, card.id, body.key, body, await transactionShop(ctx, card, body.shop_id));
      },
    },
    {
      method: 'GET', path: '/cards/{id}/transactions', permission: P.cardRead, summary: "A card's transactions, newest first", tags: ['Cards'],
      params: idParams,
      handler: async (ctx, { params }) => {
        await reachableCard(ctx, Number(params.id));
        return { data: await moves.history(ctx.db, Number(params.id)) };
      },
    },
  ];
}
