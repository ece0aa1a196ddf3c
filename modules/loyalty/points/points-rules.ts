/**
 * The points arithmetic, pure and in integers (BigInt where a product could pass 2^53): no float ever
 * holds points or money. Every rule of the README's "Rounding" section lives here.
 */

export type PointsMode = 'tranche' | 'direct';

export interface PointsRules {
  /** Points per currency unit, in basis points (20000 = 2 points per unit). */
  ratio_bp: number;
  mode: PointsMode;
  /** Tranche mode: points in a tranche (P) and the tranche's value in minor units (V). */
  tranche_points: number;
  tranche_value: number;
  /** Direct mode: value of one point in minor units (v). */
  point_value: number;
}

/** Minor units in one currency unit (100 for EUR, 1 for XOF, 1000 for KWD). */
export type MinorPerUnit = number;

/** `floor(amount × ratio)`: points earned on an amount in minor units, always rounded down. */
export function pointsEarned(amountMinor: number, ratioBp: number, minorPerUnit: MinorPerUnit): number {
  if (amountMinor <= 0 || ratioBp <= 0) return 0;
  return Number((BigInt(amountMinor) * BigInt(ratioBp)) / (10000n * BigInt(minorPerUnit)));
}

/**
 * What a document's lines earn on: every line's amount (discounts, as negative lines, included) except
 * positive lines of the points product; the negative points line counts, so the part paid with points
 * earns nothing ("points are never earned on points").
 */
export function earningBase(lines: Array<{ product_code: string; amount: number }>, pointsProductCode: string): number {
  let base = 0;
  for (const line of lines) {
    if (line.product_code === pointsProductCode && line.amount > 0) continue;
    base += line.amount;
  }
  return Math.max(0, base);
}

/**
 * Points taken back when `creditedTotal` of a document's `base` has been credited or refunded (all the
 * credits so far, this one included), in proportion: the customer keeps `floor(earned × rest / base)`,
 * so partial credits add up to exactly what was earned once everything is credited. Returns the points
 * to take back now, given what was already taken back.
 */
export function pointsToReverse(earned: number, base: number, creditedTotal: number, alreadyReversed: number): number {
  if (earned <= 0 || base <= 0) return 0;
  const rest = Math.max(0, base - Math.min(creditedTotal, base));
  const kept = Number((BigInt(earned) * BigInt(rest)) / BigInt(base));
  return Math.max(0, earned - kept - alreadyReversed);
}

export interface Redemption {
  points: number;
  value: number;
  tranches?: number;
}

/**
 * Points spent on a document of `total` (minor units) from `balance` points.
 * - By tranche: `t = min(floor(balance / P), floor(total / V))`, worth `t × V`, consuming `t × P`;
 *   null when not even one tranche can be spent.
 * - By direct value: `n = min(wanted, balance, floor(total / v))` points worth `n × v`: the value is
 *   capped by the total, and a point is never split, so a total that is not a multiple of v keeps the
 *   remainder to pay in money. Null when nothing can be spent.
 */
export function redemptionOf(rules: PointsRules, balance: number, total: number, wanted?: number): Redemption | null {
  if (balance <= 0 || total <= 0) return null;
  if (rules.mode === 'tranche') {
    const byBalance = Math.floor(balance / rules.tranche_points);
    const byTotal = Math.floor(total / rules.tranche_value);
    let t = Math.min(byBalance, byTotal);
    if (wanted !== undefined) t = Math.min(t, Math.floor(wanted / rules.tranche_points));
    if (t < 1) return null;
    return { tranches: t, points: t * rules.tranche_points, value: t * rules.tranche_value };
  }
  const n = Math.min(wanted ?? balance, balance, Math.floor(total / rules.point_value));
  if (n < 1) return null;
  return { points: n, value: n * rules.point_value };
}

/** Value of `points` outstanding in minor units: `points × v`, or `points × V / P` rounded half-up once. */
export function pointsValue(rules: Pick<PointsRules, 'mode' | 'tranche_points' | 'tranche_value' | 'point_value'>, points: bigint | number): bigint {
  const p = BigInt(points);
  if (rules.mode === 'direct') return p * BigInt(rules.point_value);
  return divHalfUp(p * BigInt(rules.tranche_value), BigInt(rules.tranche_points));
}

/** `n / d` rounded half-up (away from zero at .5), the one rounding rule of the module. */
export function divHalfUp(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new Error('divisor must be positive');
  const negative = n < 0n;
  const a = negative ? -n : n;
  const q = (a * 2n + d) / (2n * d);
  return negative ? -q : q;
}

/** Points that expire now: the part of the points earned before the cutoff not yet consumed, oldest first. */
export function pointsToExpire(earnedBeforeCutoff: number, consumedSoFar: number): number {
  return Math.max(0, earnedBeforeCutoff - consumedSoFar);
}
