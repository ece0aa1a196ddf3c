/**
 * Which bonus bundle a payment earns, as a pure function of the bundles, the payment and the customer's
 * groups at the time of the payment. One payment earns at most one bundle: the matching one with the
 * largest trigger (28 → +3 and 14 → +1: a 28-day purchase gets +3); ties go to the larger reward, then
 * to the older bundle, so the answer never depends on the order bundles were loaded in.
 */
export type BundleType = 'ontime_only' | 'cash_discount';

export interface BundleRule {
  id: number;
  name: string;
  journal_id: number;
  trigger_days: number;
  reward_days: number;
  type: BundleType;
  /** Empty: every payment journal of the company. */
  payment_journal_ids: number[];
  /** Empty: nobody. */
  group_ids: number[];
  active: boolean;
  /** Company calendar days, inclusive; null is open-ended. */
  valid_from: string | null;
  valid_to: string | null;
}

export interface PaymentFacts {
  /** Days the payment's own money buys (never the carried credit of earlier payments). */
  ownDays: number;
  journalId: number;
  /** The payment's day on the company's calendar. */
  day: string;
  /** The customer's groups at the time of the payment. */
  groupIds: ReadonlySet<number>;
}

export type Verdict = 'awarded' | 'inactive' | 'not_yet_valid' | 'expired' | 'journal_excluded' | 'not_in_groups' | 'below_trigger' | 'outranked';

/** Why a bundle does or does not apply to a payment, before ranking. */
export function judge(bundle: BundleRule, facts: PaymentFacts): Exclude<Verdict, 'awarded' | 'outranked'> | null {
  if (!bundle.active) return 'inactive';
  if (bundle.valid_from && facts.day < bundle.valid_from) return 'not_yet_valid';
  if (bundle.valid_to && facts.day > bundle.valid_to) return 'expired';
  if (bundle.payment_journal_ids.length && !bundle.payment_journal_ids.includes(facts.journalId)) return 'journal_excluded';
  if (!bundle.group_ids.some((g) => facts.groupIds.has(g))) return 'not_in_groups';
  if (facts.ownDays < bundle.trigger_days) return 'below_trigger';
  return null;
}

function outranks(a: BundleRule, b: BundleRule): boolean {
  if (a.trigger_days !== b.trigger_days) return a.trigger_days > b.trigger_days;
  if (a.reward_days !== b.reward_days) return a.reward_days > b.reward_days;
  return a.id < b.id;
}

/** The bundle the payment earns, if any. */
export function chooseBundle<B extends BundleRule>(bundles: readonly B[], facts: PaymentFacts): B | null {
  let best: B | null = null;
  for (const bundle of bundles) if (judge(bundle, facts) === null && (!best || outranks(bundle, best))) best = bundle;
  return best;
}

/** Every bundle with its verdict, the winner first: what the preview shows. */
export function explain<B extends BundleRule>(bundles: readonly B[], facts: PaymentFacts): Array<{ bundle: B; verdict: Verdict }> {
  const winner = chooseBundle(bundles, facts);
  const rows = bundles.map((bundle) => ({ bundle, verdict: (bundle === winner ? 'awarded' : (judge(bundle, facts) ?? 'outranked')) as Verdict }));
  return rows.sort((a, b) => Number(b.verdict === 'awarded') - Number(a.verdict === 'awarded') || b.bundle.trigger_days - a.bundle.trigger_days || a.bundle.id - b.bundle.id);
}

export const VERDICT_TEXT: Record<Verdict, string> = {
  awarded: 'awarded',
  inactive: 'inactive',
  not_yet_valid: 'not valid yet',
  expired: 'no longer valid',
  journal_excluded: "the payment's journal is excluded",
  not_in_groups: 'the customer is in none of its groups',
  below_trigger: 'the payment buys fewer days than its trigger',
  outranked: 'a bundle with a larger trigger applies',
};
