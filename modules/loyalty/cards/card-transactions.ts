import { ConflictError, iso, isDuplicateKey, isTransientConflict, NotFoundError, ValidationError, type RequestContext, type ScopedDb } from 'tessera/core';
import { CARD_REWARD_ACTIONS, LOYALTY_CARD_EVENTS } from '../api';
import { companyToday } from './card-issue';
import { decideMove, type CardRequest, type CardState } from './card-moves';
import type { CardType, RulesOf } from './template-rules';

const CARDS = 'loyalty_cards';
const TEMPLATES = 'loyalty_card_templates';
const MOVES = 'loyalty_card_transactions';

export interface CardTransaction {
  id: number;
  card_id: number;
  key: string;
  action: string;
  quantity: number;
  amount: number;
  message: string;
  card: CardState & { id: number; number: string };
  user_id: number | null;
  shop_id: number | null;
  created_at: string;
  /** True when the key had been used: this is the first answer again, nothing moved. */
  replayed: boolean;
}

const STATE = ['id', 'number', 'type', 'status', 'stamps', 'uses_left', 'balance', 'points', 'spend_total', 'visits', 'last_stamp_day', 'membership_ends'] as const;

function stateOf(row: Record<string, unknown>): CardTransaction['card'] {
  const out: Record<string, unknown> = {};
  for (const key of STATE) out[key] = ['id', 'stamps', 'uses_left', 'balance', 'points', 'spend_total', 'visits'].includes(key) ? Number(row[key] ?? 0) : (row[key] ?? null);
  return out as unknown as CardTransaction['card'];
}

function parseRules(text: unknown): RulesOf<CardType> {
  return (typeof text === 'string' ? JSON.parse(text) : text) as RulesOf<CardType>;
}

/**
 * The scanner's transactions. Each is idempotent by its key (a double tap sends the same key and gets
 * the first answer back), decided under the card's row lock so concurrent scans of one card queue,
 * and written with a guarded update on the state it was decided from.
 */
export class CardTransactions {
  async transact(ctx: RequestContext, cardId: number, key: string, request: CardRequest, shopId: number | null = null): Promise<CardTransaction> {
    if (!/^[\x21-\x7e]{1,80}$/.test(key)) throw new ValidationError({ key: 'is 1 to 80 visible characters, the same for a retry of one transaction' });
    for (let attempt = 1; ; attempt++) {
      try {
        return await ctx.db.transaction((db) => this.decideAndWrite(ctx, db, cardId, key, request, shopId));
      } catch (error) {
        if (isDuplicateKey(error)) {
          const first = await this.byKey(ctx.db, cardId, key);
          if (first) return first;
        }
        if (attempt < 4 && isTransientConflict(error)) continue;
        throw error;
      }
    }
  }

  async history(db: ScopedDb, cardId: number, limit = 100): Promise<CardTransaction[]> {
    const rows = await db.query(MOVES).where({ card_id: cardId }).orderBy('id', 'desc').limit(limit);
    return rows.map((row: Record<string, unknown>) => this.read(row, false));
  }

  /**
   * One read under the card's row lock brings the card, its template's rules and the id of an earlier
   * transaction with this key (a replay answers it before any refusal: a redeemed coupon's double tap
   * gets its first answer). The subqueries are plain reads: MariaDB locks the card row only, so scans of
   * other cards of one template never queue on the template. Then the guarded update, the transaction
   * row and the event row: four statements in one database transaction.
   */
  private async decideAndWrite(ctx: RequestContext, db: ScopedDb, cardId: number, key: string, request: CardRequest, shopId: number | null): Promise<CardTransaction> {
    const raw = db.unscoped('subqueries of the card read below, bound to its company');
    const query = db.query(CARDS).where(`${CARDS}.id`, cardId).select(
      `${CARDS}.*`,
      raw.raw(`(select tpl.rules from ${TEMPLATES} tpl where tpl.id = ${CARDS}.template_id and tpl.company_id = ${CARDS}.company_id) as template_rules`),
      raw.raw(`(select mv.id from ${MOVES} mv where mv.card_id = ${CARDS}.id and mv.\`key\` = ?) as replay_id`, [key]),
    );
    const card = await (db.client === 'better-sqlite3' ? query : query.forUpdate()).first();
    if (!card) throw new NotFoundError('Card');
    if (card.replay_id != null) {
      const earlier = await db.query(MOVES).where({ id: card.replay_id }).first();
      if (earlier) return this.read(earlier, true);
    }
    const today = companyToday(ctx, Number(card.company_id));
    if (card.status === 'blocked') throw new ConflictError(`card ${card.number} is blocked`, { card: 'is blocked' });
    if (card.status === 'used') throw new ConflictError(`card ${card.number} was already redeemed`, { card: 'was already redeemed' }, 'already_redeemed');
    if (card.status === 'expired' || (card.valid_until && card.valid_until < today)) throw new ConflictError(`card ${card.number} expired on ${card.valid_until}`, { card: 'has expired' });
    const template = { rules: card.template_rules };
    const currency = ctx.principal.companies?.find((c) => c.id === Number(card.company_id))?.currency ?? 'EUR';
    const before = stateOf(card);
    const move = decideMove(before, parseRules(template?.rules), request, today, currency);
    if (!move.ok) {
      if (move.conflict) throw new ConflictError(`${move.field} ${move.reason}`, { [move.field]: move.reason });
      throw new ValidationError({ [move.field]: move.reason });
    }
    // Guarded on what the move was decided from: a writer that slipped past the lock changes nothing.
    const changed = await db.query(CARDS).where({ id: cardId, status: before.status, stamps: before.stamps, uses_left: before.uses_left, balance: before.balance, points: before.points }).update({ ...move.patch, updated_at: new Date() });
    if (changed !== 1) throw new ConflictError(`card ${card.number} changed while the transaction was decided; try again`);
    const row = { company_id: Number(card.company_id), card_id: cardId, key, action: request.action, quantity: move.quantity, amount: move.amount, outcome: JSON.stringify({ message: move.message, card: { ...before, ...move.patch } }), user_id: ctx.principal.userId ?? null, shop_id: shopId, created_at: new Date() };
    const [id] = await db.unscoped('a transaction row of a card read above in the caller\'s company').table(MOVES).insert(row);
    const made = this.read({ ...row, id: typeof id === 'object' ? (id as { id: number }).id : id }, false);
    await this.announce(db, Number(card.company_id), Number(card.customer_id), made);
    return made;
  }

  /** Events of a transaction, in its own database transaction: a replay (same key) publishes nothing. */
  private async announce(db: ScopedDb, companyId: number, customerId: number, made: CardTransaction): Promise<void> {
    await db.publish(LOYALTY_CARD_EVENTS.transaction, { card_id: made.card_id, customer_id: customerId, transaction_id: made.id, action: made.action, quantity: made.quantity, amount: made.amount, shop_id: made.shop_id }, companyId);
    if (CARD_REWARD_ACTIONS.includes(made.action)) {
      await db.publish(LOYALTY_CARD_EVENTS.reward, { card_id: made.card_id, customer_id: customerId, transaction_id: made.id, action: made.action, message: made.message }, companyId);
    }
  }

  private async byKey(db: ScopedDb, cardId: number, key: string): Promise<CardTransaction | null> {
    const row = await db.query(MOVES).where({ card_id: cardId, key }).first();
    return row ? this.read(row, true) : null;
  }

  private read(row: Record<string, unknown>, replayed: boolean): CardTransaction {
    const outcome = JSON.parse(String(row.outcome)) as { message: string; card: Record<string, unknown> };
    return {
      id: Number(row.id),
      card_id: Number(row.card_id),
      key: String(row.key),
      action: String(row.action),
      quantity: Number(row.quantity),
      amount: Number(row.amount),
      message: outcome.message,
      card: stateOf(outcome.card),
      user_id: row.user_id == null ? null : Number(row.user_id),
      shop_id: row.shop_id == null ? null : Number(row.shop_id),
      created_at: iso(row.created_at) ?? '',
      replayed,
    };
  }
}
