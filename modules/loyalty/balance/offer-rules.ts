/**
 * The pure rules of balance offers: which offer applies and how much it gives. One rounding rule for
 * the whole module: a rate in basis points applied once to an amount in minor units, half-up, in
 * integers (BigInt, so no product ever loses precision).
 */
export interface OfferRule {
  id: number;
  name: string;
  kind: 'recharge' | 'cashback';
  rate_bps: number;
  threshold: number;
  payment_methods: string[];
  active: boolean;
  valid_from: string | null;
  valid_to: string | null;
}

/** `amount × bps / 10000`, half-up, once. Negative amounts round away from zero symmetrically. */
export function percentOf(amount: number, bps: number): number {
  const sign = amount < 0 ? -1n : 1n;
  const product = BigInt(Math.abs(amount)) * BigInt(bps);
  return Number(sign * ((product + 5000n) / 10000n));
}

/** `value × part / whole`, half-up: the share of a cashback or a balance payment a partial refund takes back. */
export function shareOf(value: number, part: number, whole: number): number {
  if (whole <= 0) return 0;
  const product = BigInt(value) * BigInt(part);
  return Number((product * 2n + BigInt(whole)) / (2n * BigInt(whole)));
}

export interface Applicable {
  kind: OfferRule['kind'];
  amount: number;
  /** The payment method, for recharge offers limited to some. */
  method?: string;
  /** The company's calendar day, `YYYY-MM-DD`. */
  day: string;
}

/** Why an offer does not apply, or null when it does. */
export function refusal(offer: OfferRule, a: Applicable): string | null {
  if (offer.kind !== a.kind) return 'other kind';
  if (!offer.active) return 'inactive';
  if (offer.valid_from && a.day < offer.valid_from) return `starts on ${offer.valid_from}`;
  if (offer.valid_to && a.day > offer.valid_to) return `ended on ${offer.valid_to}`;
  if (a.amount < offer.threshold) return `below the threshold of ${offer.threshold}`;
  if (offer.kind === 'recharge' && offer.payment_methods.length && !offer.payment_methods.includes(String(a.method))) return `not for ${a.method}`;
  return null;
}

/** The offer giving the most; ties go to the higher threshold, then the older offer. */
export function bestOffer(offers: OfferRule[], a: Applicable): { offer: OfferRule; value: number } | null {
  let best: { offer: OfferRule; value: number } | null = null;
  for (const offer of offers) {
    if (refusal(offer, a)) continue;
    const value = percentOf(a.amount, offer.rate_bps);
    if (value <= 0) continue;
    const better = !best || value > best.value || (value === best.value && (offer.threshold > best.offer.threshold || (offer.threshold === best.offer.threshold && offer.id < best.offer.id)));
    if (better) best = { offer, value };
  }
  return best;
}
