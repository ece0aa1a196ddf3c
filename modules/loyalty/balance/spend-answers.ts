/**
 * The balance a spend left, handed from billing's event (run inside billing's transaction) to the
 * request that waits for billing's answer: the handler reads it with its ledger row, so the request
 * need not read it again after the commit. Keyed by company and payment reference; the payment id
 * tells an answer of the attempt that committed from one of an attempt rolled back (a deadlock retry,
 * a reference another request took first).
 */
export interface SpendAnswer {
  key: string;
  paymentId?: number;
  /** Answered once billing's transaction sent its COMMIT (the read travels with it). */
  balance?: Promise<{ balance: number; credit_limit: number } | null>;
}

const waiting = new Map<string, Set<SpendAnswer>>();

export function awaitSpend(companyId: number, reference: string): SpendAnswer {
  const box: SpendAnswer = { key: `${companyId}:${reference}` };
  const set = waiting.get(box.key) ?? new Set();
  waiting.set(box.key, set.add(box));
  return box;
}

/** Called by the spend's handler: fills what a request of this reference waits for, if one does. */
export function answerSpend(companyId: number, reference: string, paymentId: number, balance: Promise<{ balance: number; credit_limit: number } | null>): void {
  for (const box of waiting.get(`${companyId}:${reference}`) ?? []) Object.assign(box, { paymentId, balance });
}

export function forgetSpend(box: SpendAnswer): void {
  const set = waiting.get(box.key);
  set?.delete(box);
  if (set && !set.size) waiting.delete(box.key);
}
