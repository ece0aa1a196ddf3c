import { currencyFractionDigits } from 'tessera/core';
import { levelAmount } from './rules/level-rules';
import { membershipAdmits, spendCertificate, useMultipass } from './rules/pass-rules';
import { redeemMilestone, stampsForPurchase, stampsLapsed } from './rules/stamp-rules';
import type { CardType, RulesOf } from './template-rules';

/** What the scanner asks of a card. Amounts are minor units. */
export interface CardRequest {
  action: CardAction;
  amount?: number;
  count?: number;
  milestone?: number;
  reward?: string;
}
/** `gift` is not the scanner's: the system credits a card (a referral's reward) without counting a visit. */
export type CardAction = 'stamp' | 'redeem_reward' | 'use' | 'purchase' | 'spend' | 'redeem' | 'visit' | 'add_points' | 'gift';

/** The actions each card type takes, in the order the scanner offers them. */
export const ACTIONS_OF: Record<CardType, CardAction[]> = {
  stamp: ['stamp', 'redeem_reward'],
  multipass: ['use'],
  cashback: ['purchase', 'spend'],
  certificate: ['spend'],
  coupon: ['redeem'],
  membership: ['visit'],
  discount: ['purchase'],
  reward: ['purchase', 'visit', 'add_points', 'redeem_reward'],
};

/** The state of a card that transactions move. */
export interface CardState {
  type: CardType;
  status: string;
  stamps: number;
  uses_left: number;
  balance: number;
  points: number;
  spend_total: number;
  visits: number;
  last_stamp_day: string | null;
  membership_ends: string | null;
}

export type Move =
  | { ok: true; patch: Partial<CardState> & { last_visit_day?: string }; quantity: number; amount: number; message: string }
  | { ok: false; field: string; reason: string; conflict?: boolean };

const refuse = (field: string, reason: string, conflict = false): Move => ({ ok: false, field, reason, conflict });

/**
 * One transaction on a card, decided from its state, its template's rules and the company's day:
 * the new values to write, what moved, and a line for the person at the counter. Pure: the service
 * runs it under the card's row lock, so two scans of one card are decided one after the other.
 */
export function decideMove(card: CardState, rules: RulesOf<CardType>, request: CardRequest, today: string, currency: string): Move {
  if (request.action === 'gift') return gift(card, request);
  if (!ACTIONS_OF[card.type].includes(request.action)) return refuse('action', `a ${card.type} card takes ${ACTIONS_OF[card.type].join(', ')}`);
  const visit = { visits: card.visits + 1, last_visit_day: today };
  const amount = request.amount;
  const needAmount = () => (Number.isSafeInteger(amount) && amount! > 0 ? null : refuse('amount', 'is needed, above zero, in minor units'));
  switch (`${card.type}:${request.action}`) {
    case 'stamp:stamp': {
      const r = rules as RulesOf<'stamp'>;
      const base = stampsLapsed(r.life, card.last_stamp_day, today) ? 0 : card.stamps;
      let earned: number;
      if (request.count !== undefined) earned = request.count;
      else if (amount !== undefined) {
        if (r.stamp_step === null) return refuse('amount', 'this card gives one stamp a visit, not stamps by amount');
        earned = stampsForPurchase(amount, r.stamp_step);
      } else if (r.stamp_step === null) earned = 1;
      else return refuse('amount', 'is needed: this card gives a stamp per step of the purchase');
      if (!Number.isSafeInteger(earned) || earned < 0 || earned > 1000) return refuse('count', 'is a number of stamps from 0 to 1000');
      const lapsed = base === 0 && card.stamps > 0 ? ` (${card.stamps} earlier stamps had lapsed)` : '';
      return { ok: true, patch: { stamps: base + earned, last_stamp_day: today, ...visit }, quantity: earned, amount: amount ?? 0, message: `${earned} stamp${earned === 1 ? '' : 's'} added: ${base + earned} on the card${lapsed}` };
    }
    case 'stamp:redeem_reward': {
      const r = rules as RulesOf<'stamp'>;
      const base = stampsLapsed(r.life, card.last_stamp_day, today) ? 0 : card.stamps;
      const milestone = request.milestone ?? Math.min(...r.milestones.map((m) => m.stamps));
      const out = redeemMilestone(base, milestone, r.milestones.map((m) => m.stamps));
      if (!out.ok) return refuse('milestone', out.reason);
      const reward = r.milestones.find((m) => m.stamps === milestone)!.reward;
      return { ok: true, patch: { stamps: out.stamps }, quantity: milestone, amount: 0, message: `Reward given: ${reward}; ${out.stamps} stamps carried over` };
    }
    case 'multipass:use': {
      const out = useMultipass(card.uses_left, request.count ?? 1);
      if (!out.ok) return refuse('count', out.reason, card.uses_left === 0);
      return { ok: true, patch: { uses_left: out.left, ...visit }, quantity: request.count ?? 1, amount: 0, message: `${out.left} uses left` };
    }
    case 'cashback:purchase':
    case 'discount:purchase': {
      const missing = needAmount();
      if (missing) return missing;
      const { level, amount: earned } = levelAmount((rules as RulesOf<'cashback'>).levels, card.spend_total, amount!);
      const levelName = level ? level.name : 'no level yet';
      if (card.type === 'cashback') return { ok: true, patch: { balance: card.balance + earned, spend_total: card.spend_total + amount!, ...visit }, quantity: 0, amount: earned, message: `Cashback ${earned} earned at ${levelName}` };
      return { ok: true, patch: { spend_total: card.spend_total + amount! - earned, ...visit }, quantity: 0, amount: earned, message: `Discount ${earned} at ${levelName}` };
    }
    case 'cashback:spend':
    case 'certificate:spend': {
      const missing = needAmount();
      if (missing) return missing;
      const out = spendCertificate(card.balance, amount!);
      if (!out.ok) return refuse('amount', out.reason, true);
      return { ok: true, patch: { balance: out.left, ...visit }, quantity: 0, amount: amount!, message: `${out.left} left on the card` };
    }
    case 'coupon:redeem':
      return { ok: true, patch: { status: 'used', ...visit }, quantity: 1, amount: 0, message: `Coupon redeemed: ${(rules as RulesOf<'coupon'>).reward}` };
    case 'membership:visit': {
      const r = rules as RulesOf<'membership'>;
      const out = membershipAdmits(card.membership_ends ?? today, today, card.visits, r.visit_limit);
      if (!out.ok) return refuse('card', out.reason!, true);
      return { ok: true, patch: visit, quantity: 1, amount: 0, message: `${r.tier} member until ${card.membership_ends}` };
    }
    case 'reward:purchase': {
      const missing = needAmount();
      if (missing) return missing;
      const unit = 10 ** currencyFractionDigits(currency);
      const earned = Math.floor((amount! * (rules as RulesOf<'reward'>).points_per_unit) / unit);
      return { ok: true, patch: { points: card.points + earned, spend_total: card.spend_total + amount!, ...visit }, quantity: earned, amount: amount!, message: `${earned} points earned: ${card.points + earned} on the card` };
    }
    case 'reward:visit': {
      const earned = (rules as RulesOf<'reward'>).points_per_visit;
      return { ok: true, patch: { points: card.points + earned, ...visit }, quantity: earned, amount: 0, message: `${earned} points for the visit` };
    }
    case 'reward:add_points': {
      const count = request.count;
      if (!Number.isSafeInteger(count) || count! < 1 || count! > 1_000_000) return refuse('count', 'is a number of points from 1 to 1,000,000');
      return { ok: true, patch: { points: card.points + count! }, quantity: count!, amount: 0, message: `${count} points added by hand` };
    }
    case 'reward:redeem_reward': {
      const item = (rules as RulesOf<'reward'>).catalogue.find((c) => c.name === request.reward);
      if (!item) return refuse('reward', `is one of the catalogue's rewards: ${(rules as RulesOf<'reward'>).catalogue.map((c) => c.name).join(', ')}`);
      if (card.points < item.cost) return refuse('reward', `${item.name} costs ${item.cost} points; the card has ${card.points}`, true);
      return { ok: true, patch: { points: card.points - item.cost }, quantity: item.cost, amount: 0, message: `Reward given: ${item.name}` };
    }
  }
  return refuse('action', `a ${card.type} card does not take ${request.action}`);
}

/** A credit by the system: stamps or points (`count`), or money (`amount`) on cashback and certificate cards. */
function gift(card: CardState, request: CardRequest): Move {
  const n = card.type === 'cashback' || card.type === 'certificate' ? request.amount : request.count;
  if (!Number.isSafeInteger(n) || n! < 1 || n! > 1_000_000) return refuse('count', 'is what the gift gives, from 1 to 1,000,000');
  switch (card.type) {
    case 'stamp':
      return { ok: true, patch: { stamps: card.stamps + n! }, quantity: n!, amount: 0, message: `${n} stamps given` };
    case 'reward':
      return { ok: true, patch: { points: card.points + n! }, quantity: n!, amount: 0, message: `${n} points given` };
    case 'cashback':
    case 'certificate':
      return { ok: true, patch: { balance: card.balance + n! }, quantity: 0, amount: n!, message: `${n} added to the balance` };
  }
  return refuse('card', `a ${card.type} card takes no gift (stamp, reward, cashback and certificate cards do)`);
}
