import { applyRate } from 'tessera/core';

/**
 * Cashback and discount cards give a percent by level, the level set by what the customer spent
 * before this purchase (the purchase itself never lifts its own rate). Rates in basis points.
 */
export interface Level {
  name: string;
  /** Spend so far (minor units) from which the level applies. */
  from: number;
  rate: number;
}

/** The level for `spentBefore`: the highest threshold reached, or null below the first one. */
export function levelFor(levels: readonly Level[], spentBefore: number): Level | null {
  let found: Level | null = null;
  for (const level of levels) if (level.from <= spentBefore && (!found || level.from > found.from)) found = level;
  return found;
}

/** What a purchase earns (cashback) or takes off (discount) at the level judged before it. */
export function levelAmount(levels: readonly Level[], spentBefore: number, amount: number): { level: Level | null; amount: number } {
  const level = levelFor(levels, spentBefore);
  return { level, amount: level ? applyRate(amount, level.rate) : 0 };
}
