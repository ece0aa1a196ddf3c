import type { Level } from './rules/level-rules';
import type { MembershipPeriod } from './rules/pass-rules';
import type { StampLife } from './rules/stamp-rules';

/** A card template's rules, one shape per card type (amounts in minor units, rates in basis points). */
export type CardType = 'stamp' | 'multipass' | 'cashback' | 'certificate' | 'coupon' | 'membership' | 'discount' | 'reward';

export const CARD_TYPES: Record<CardType, string> = {
  stamp: 'Stamp',
  multipass: 'Multipass',
  cashback: 'Cashback',
  certificate: 'Certificate (gift card)',
  coupon: 'Coupon',
  membership: 'Membership',
  discount: 'Discount',
  reward: 'Reward',
};

export interface StampRules { stamp_step: number | null; milestones: Array<{ stamps: number; reward: string }>; life: StampLife }
export interface MultipassRules { uses: number }
export interface LevelRules { levels: Level[] }
export interface CertificateRules { amount: number }
export interface CouponRules { reward: string }
export interface MembershipRules { tier: string; period: MembershipPeriod; count: number; visit_limit: number | null }
export interface RewardRules { points_per_unit: number; points_per_visit: number; catalogue: Array<{ name: string; cost: number }> }

export type RulesOf<T extends CardType> = T extends 'stamp' ? StampRules : T extends 'multipass' ? MultipassRules : T extends 'cashback' | 'discount' ? LevelRules : T extends 'certificate' ? CertificateRules : T extends 'coupon' ? CouponRules : T extends 'membership' ? MembershipRules : RewardRules;

type Problems = Record<string, string>;
const whole = (v: unknown, min: number): v is number => Number.isSafeInteger(v) && (v as number) >= min;
const named = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= 120;

/** What is wrong with `rules` for a template of `type`, keyed by the field path a form names (`rules.levels`). */
export function rulesProblems(type: CardType, rules: unknown): Problems {
  const r = (rules ?? {}) as Record<string, unknown>;
  const out: Problems = {};
  const need = (ok: boolean, key: string, reason: string) => {
    if (!ok) out[`rules.${key}`] = reason;
  };
  switch (type) {
    case 'stamp': {
      need(r.stamp_step === null || whole(r.stamp_step, 1), 'stamp_step', 'is the amount that earns one stamp (above zero), or empty for one stamp a visit');
      const milestones = r.milestones as StampRules['milestones'];
      need(Array.isArray(milestones) && milestones.length > 0 && milestones.every((m) => whole(m?.stamps, 1) && named(m?.reward)), 'milestones', 'needs at least one reward with its number of stamps');
      if (Array.isArray(milestones)) need(new Set(milestones.map((m) => m?.stamps)).size === milestones.length, 'milestones', 'has two rewards at the same number of stamps');
      const life = r.life as StampLife | undefined;
      need(!!life && (life.kind === 'unlimited' || (life.kind === 'until' && /^\d{4}-\d{2}-\d{2}$/.test(String(life.day))) || (life.kind === 'days_since_last' && whole(life.days, 1))), 'life', 'is unlimited, until a day, or a number of days since the last stamp');
      break;
    }
    case 'multipass':
      need(whole(r.uses, 1), 'uses', 'is the number of uses the pass holds (at least 1)');
      break;
    case 'cashback':
    case 'discount': {
      const levels = r.levels as Level[];
      need(Array.isArray(levels) && levels.length > 0 && levels.every((l) => named(l?.name) && whole(l?.from, 0) && whole(l?.rate, 0) && l.rate <= 10000), 'levels', 'needs levels with a name, a spend from which they apply and a rate from 0 to 100 %');
      if (Array.isArray(levels)) need(new Set(levels.map((l) => l?.from)).size === levels.length, 'levels', 'has two levels starting at the same spend');
      break;
    }
    case 'certificate':
      need(whole(r.amount, 1), 'amount', 'is the value the certificate is issued with (above zero)');
      break;
    case 'coupon':
      need(named(r.reward), 'reward', 'names what the coupon gives');
      break;
    case 'membership':
      need(named(r.tier), 'tier', 'names the membership tier');
      need(['day', 'week', 'month', 'year'].includes(String(r.period)), 'period', 'is day, week, month or year');
      need(whole(r.count, 1), 'count', 'is how many periods a membership lasts (at least 1)');
      need(r.visit_limit === null || whole(r.visit_limit, 1), 'visit_limit', 'is a number of visits, or empty for no limit');
      break;
    case 'reward': {
      need(whole(r.points_per_unit, 0), 'points_per_unit', 'is the points a currency unit of spend earns (a whole number)');
      need(whole(r.points_per_visit, 0), 'points_per_visit', 'is the points a visit earns (a whole number)');
      const catalogue = r.catalogue as RewardRules['catalogue'];
      need(Array.isArray(catalogue) && catalogue.length > 0 && catalogue.every((c) => named(c?.name) && whole(c?.cost, 1)), 'catalogue', 'needs rewards with a name and a cost in points');
      break;
    }
    default:
      out.type = `is one of ${Object.keys(CARD_TYPES).join(', ')}`;
  }
  return out;
}
