/**
 * Reward rules of gold schemes, pure and in integers: the bonus of a plan from its instalment amounts
 * (tier segments), what it paid and when, and the grams an instalment buys. Rates are basis points;
 * each rate is applied once, rounded half-up.
 */

export type RewardKind = 'none' | 'fixed' | 'percentage' | 'interval';

export interface RewardRule {
  kind: RewardKind;
  /** fixed: k instalments' worth at maturity ("11 + 1": k = 1). */
  instalments: number;
  /** percentage: p % of one instalment (bp); interval: each reward is this share of the instalment (bp). */
  rate: number;
  /** interval: a reward every k consecutive on-time instalments. */
  every: number;
  /** percentage: below this many paid instalments there is no bonus. */
  minInstalments: number;
}

/** The instalment amount from instalment number `from_seq` (1-based) until the next segment. */
export interface Segment {
  from_seq: number;
  instalment: number;
  tier: string;
}

export type Outcome = 'on_time' | 'late' | 'missed';

/** round_half_up(num / den) for num ≥ 0, den > 0, exact (BigInt) whatever the size. */
export function divHalfUp(num: number | bigint, den: number | bigint): number {
  const n = BigInt(num);
  const d = BigInt(den);
  if (n < 0n || d <= 0n) throw new RangeError('divHalfUp takes num >= 0 and den > 0');
  return Number((2n * n + d) / (2n * d));
}

/** Grams (in milligrams, so 3 decimals in integers) an amount buys at a rate per gram: round_half_up(amount / rate, 3). */
export function gramsMilli(amount: number, ratePerGram: number): number {
  return divHalfUp(BigInt(amount) * 1000n, ratePerGram);
}

/** The instalment due for instalment number `seq`. */
export function instalmentAt(segments: readonly Segment[], seq: number): number {
  let amount = segments[0].instalment;
  for (const s of segments) if (s.from_seq <= seq) amount = s.instalment;
  return amount;
}

/** Σ months × amount over the n instalments: the base every prorated bonus is taken from. */
export function baseOf(segments: readonly Segment[], n: number): number {
  let base = 0;
  for (let seq = 1; seq <= n; seq++) base += instalmentAt(segments, seq);
  return base;
}

export interface BonusInput {
  rule: RewardRule;
  /** Instalments of the scheme (its duration). */
  n: number;
  segments: readonly Segment[];
  paid: number;
  onTime: number;
  /** The instalments' outcomes in order (interval rewards), with the amount due for each. */
  outcomes: ReadonlyArray<{ outcome: Outcome; instalment: number }>;
}

/**
 * The bonus earned:
 * - fixed: k × the (prorated) instalment, once all n instalments are paid;
 * - percentage: p % × prorated instalment × on_time / n, none below the minimum of paid instalments;
 * - interval: p % of the instalment at every k-th consecutive on-time instalment (late or missed restarts).
 * Prorated instalment = Σ months × amount / n: a tier change weighs each amount by its months.
 */
export function bonusOf(input: BonusInput): number {
  const { rule, n } = input;
  const base = baseOf(input.segments, n);
  switch (rule.kind) {
    case 'fixed':
      return input.paid >= n ? divHalfUp(BigInt(rule.instalments) * BigInt(base), n) : 0;
    case 'percentage':
      if (input.paid < Math.max(rule.minInstalments, 1)) return 0;
      return divHalfUp(BigInt(rule.rate) * BigInt(base) * BigInt(input.onTime), BigInt(10_000) * BigInt(n) * BigInt(n));
    case 'interval': {
      let bonus = 0;
      let streak = 0;
      for (const o of input.outcomes) {
        if (o.outcome !== 'on_time') {
          streak = 0;
          continue;
        }
        streak += 1;
        if (rule.every > 0 && streak === rule.every) {
          bonus += divHalfUp(BigInt(rule.rate) * BigInt(o.instalment), 10_000);
          streak = 0;
        }
      }
      return bonus;
    }
    default:
      return 0;
  }
}

/** Segments after a change to `instalment` from instalment number `fromSeq` (the next one to pay). */
export function withTier(segments: readonly Segment[], fromSeq: number, tier: string, instalment: number): Segment[] {
  const kept = segments.filter((s) => s.from_seq < fromSeq);
  return [...(kept.length ? kept : []), { from_seq: fromSeq, instalment, tier }];
}

export interface TierPreview {
  from_seq: number;
  remaining: number;
  before: { instalment: number; bonus_at_maturity: number; total_at_maturity: number };
  after: { instalment: number; bonus_at_maturity: number; total_at_maturity: number };
}

/**
 * What a tier change does, assuming every remaining instalment is paid on time: the bonus at maturity
 * before and after, prorated by the months at each amount.
 */
export function previewTierChange(input: { rule: RewardRule; n: number; segments: readonly Segment[]; paid: number; onTime: number; outcomes: BonusInput['outcomes'] }, tier: string, instalment: number): TierPreview {
  const fromSeq = input.paid + 1;
  const project = (segments: readonly Segment[]) => {
    const outcomes = [...input.outcomes];
    for (let seq = fromSeq; seq <= input.n; seq++) outcomes.push({ outcome: 'on_time', instalment: instalmentAt(segments, seq) });
    const bonus = bonusOf({ rule: input.rule, n: input.n, segments, paid: input.n, onTime: input.onTime + (input.n - input.paid), outcomes });
    return { instalment: instalmentAt(segments, fromSeq), bonus_at_maturity: bonus, total_at_maturity: baseOf(segments, input.n) + bonus };
  };
  return { from_seq: fromSeq, remaining: input.n - input.paid, before: project(input.segments), after: project(withTier(input.segments, fromSeq, tier, instalment)) };
}
