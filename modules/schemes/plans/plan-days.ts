/**
 * What a payment buys on a pay plan, in integers only. A plan sells `instalmentDays` days for
 * `instalmentAmount` minor units. Money that buys less than a whole day is kept exactly as the plan's
 * carried credit, in "scaled" units (minor units × instalmentDays), so nothing is lost to rounding and
 * no day is given for free: 90 per 30 days, paid 90, buys exactly 30 days.
 */
export interface Rate {
  instalmentAmount: number;
  instalmentDays: number;
}

export interface Purchase {
  /** Days this payment buys with the carried credit added. */
  days: number;
  /** Days the payment's own money buys (what a bundle's trigger is judged on: carried credit never counts). */
  ownDays: number;
  /** Carried credit after the payment, scaled (minor units × instalmentDays). */
  carriedScaled: number;
}

export function purchase(rate: Rate, amount: number, carriedScaled = 0): Purchase {
  const value = amount * rate.instalmentDays + carriedScaled;
  const days = Math.floor(value / rate.instalmentAmount);
  return {
    days,
    ownDays: Math.floor((amount * rate.instalmentDays) / rate.instalmentAmount),
    carriedScaled: value - days * rate.instalmentAmount,
  };
}

/** Carried credit in minor units, rounded down (what it is worth as money, for display). */
export function carriedMinor(rate: Rate, carriedScaled: number): number {
  return Math.floor(carriedScaled / rate.instalmentDays);
}

/**
 * Undoes a purchase: takes `days` and `addedScaled` (what the payment left in the carried credit) off
 * again. When later payments already spent that credit, whole days are taken instead and the difference
 * goes back to the credit, so the customer is never left owing less than before.
 */
export function unpurchase(rate: Rate, days: number, addedScaled: number, carriedScaled: number): { days: number; carriedScaled: number } {
  let carried = carriedScaled - addedScaled;
  let extra = 0;
  if (carried < 0) {
    extra = Math.ceil(-carried / rate.instalmentAmount);
    carried += extra * rate.instalmentAmount;
  }
  return { days: days + extra, carriedScaled: carried };
}

/**
 * The value of `days` at the plan's rate, rounded half-up to the minor unit once:
 * `days × instalmentAmount / instalmentDays` (a cash-discount bundle's credit note).
 */
export function valueOfDays(rate: Rate, days: number): number {
  const numerator = days * rate.instalmentAmount;
  return Math.floor((2 * numerator + rate.instalmentDays) / (2 * rate.instalmentDays));
}
