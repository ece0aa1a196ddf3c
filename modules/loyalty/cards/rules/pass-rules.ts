import { addCalendarDays, addCalendarMonths } from 'tessera/core';

/** Multipass, certificate and membership rules: what a use, a spend or a period leaves. */

export type UseOutcome = { ok: true; left: number } | { ok: false; reason: string };

/** A multipass use takes `uses` of what is left; it never goes below zero. */
export function useMultipass(left: number, uses = 1): UseOutcome {
  if (!Number.isSafeInteger(uses) || uses < 1) return { ok: false, reason: 'uses must be a whole number above zero' };
  if (uses > left) return { ok: false, reason: left === 0 ? 'the pass has no uses left' : `the pass has ${left} uses left, not ${uses}` };
  return { ok: true, left: left - uses };
}

/** A certificate (gift card) pays from its money balance and is never overdrawn (minor units). */
export function spendCertificate(balance: number, amount: number): UseOutcome {
  if (!Number.isSafeInteger(amount) || amount <= 0) return { ok: false, reason: 'amount must be above zero' };
  if (amount > balance) return { ok: false, reason: `the certificate holds ${balance}, less than ${amount}` };
  return { ok: true, left: balance - amount };
}

export type MembershipPeriod = 'day' | 'week' | 'month' | 'year';

/**
 * The last day a membership bought on `start` for `count` periods is valid. A month from the 31st ends
 * on the last day of the next month (31 January → 28 February), a month from the 15th on the 14th.
 */
export function membershipEnds(start: string, period: MembershipPeriod, count = 1): string {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError('a membership lasts at least one period');
  switch (period) {
    case 'day':
      return addCalendarDays(start, count - 1);
    case 'week':
      return addCalendarDays(start, 7 * count - 1);
    case 'month':
      return monthsEnd(start, count);
    case 'year':
      return monthsEnd(start, 12 * count);
  }
}

function monthsEnd(start: string, months: number): string {
  const sameDay = addCalendarMonths(start, months);
  // Clamped (the 31st into a shorter month): the period ends on that month's last day itself.
  return Number(sameDay.slice(8)) < Number(start.slice(8)) ? sameDay : addCalendarDays(sameDay, -1);
}

/** Whether a membership valid through `ends` with `visitLimit` (null: none) admits one more visit on `today`. */
export function membershipAdmits(ends: string, today: string, visits: number, visitLimit: number | null): { ok: boolean; reason?: string } {
  if (today > ends) return { ok: false, reason: `the membership ended on ${ends}` };
  if (visitLimit !== null && visits >= visitLimit) return { ok: false, reason: `the membership's ${visitLimit} visits are used` };
  return { ok: true };
}
