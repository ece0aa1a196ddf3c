import { daysBetween } from 'tessera/core';

/**
 * A stamp card's arithmetic. Stamps come per purchase (one per whole `step` of the amount), per visit,
 * or by hand; rewards wait at milestones; redeeming one takes its stamps and the rest carry over.
 */
export type StampLife = { kind: 'unlimited' } | { kind: 'until'; day: string } | { kind: 'days_since_last'; days: number };

/** Stamps a purchase earns: one per whole step, none for a part of one (amounts in minor units). */
export function stampsForPurchase(amount: number, step: number): number {
  if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(step) || step <= 0) throw new RangeError('amount and step are minor units, step above zero');
  return amount > 0 ? Math.floor(amount / step) : 0;
}

/** The milestones (stamp counts) a card's stamps have reached, smallest first. */
export function milestonesReached(stamps: number, milestones: readonly number[]): number[] {
  return [...milestones].sort((a, b) => a - b).filter((m) => m <= stamps);
}

export type RedeemOutcome = { ok: true; stamps: number } | { ok: false; reason: string };

/** Redeeming the reward of `milestone` takes that many stamps; stamps beyond it stay on the card. */
export function redeemMilestone(stamps: number, milestone: number, milestones: readonly number[]): RedeemOutcome {
  if (!milestones.includes(milestone)) return { ok: false, reason: `no reward at ${milestone} stamps on this card` };
  if (stamps < milestone) return { ok: false, reason: `the reward needs ${milestone} stamps; the card has ${stamps}` };
  return { ok: true, stamps: stamps - milestone };
}

/**
 * Whether the card's stamps have lapsed on `today` (the company's calendar day). "N days since the
 * last stamp" keeps them through the Nth day after it and drops them on the next one.
 */
export function stampsLapsed(life: StampLife, lastStampDay: string | null, today: string): boolean {
  switch (life.kind) {
    case 'unlimited':
      return false;
    case 'until':
      return today > life.day;
    case 'days_since_last':
      return lastStampDay !== null && daysBetween(lastStampDay, today) > life.days;
  }
}
