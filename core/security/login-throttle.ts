/**
 * The sign-in throttle. A call center signs in from behind one address, so counting failures per
 * address alone locks out every colleague of one careless typist, or of one guesser. The rule keeps a
 * guesser slow and lets a colleague with the right password in:
 *
 * 1. Per account and address: the first `maxFailures` failures since the pair's last success are free;
 *    after that each try waits `firstDelaySeconds`, doubling with every further failure, up to
 *    `windowSeconds`, counted from the pair's last failure. Failures older than `pairMemorySeconds`
 *    are forgotten.
 * 2. Per account, against guessing from many addresses: once the account has `accountAlarmFailures`
 *    failures in the window, an address that failed for it in the window waits until that failure
 *    leaves the window. An address with no failure for the account still has its password checked,
 *    so the right password gets in.
 * 3. Per address, a high ceiling against one address trying many accounts: past `maxAddressFailures`
 *    failures in the window, the address is refused.
 *
 * An address the account signed in from in the last `trustedAddressDays` (the user's office) is spared
 * rules 2 and 3; rule 1 still slows a guesser sharing it.
 */
export interface LoginLimits {
  maxFailures: number;
  windowSeconds: number;
  firstDelaySeconds: number;
  pairMemorySeconds: number;
  maxAddressFailures: number;
  accountAlarmFailures: number;
  trustedAddressDays: number;
}

export interface LoginHistory {
  /** The account signed in from this address within trustedAddressDays. */
  knownAddress: boolean;
  /** Failures of this account from this address since their last success (within pairMemorySeconds). */
  pairFailures: number;
  lastPairFailure: Date | null;
  /** Failures of the account from any address in the window. */
  accountFailures: number;
  /** Failures from the address for any account in the window. */
  addressFailures: number;
}

/** Seconds this attempt must wait before its password is even checked; 0 to check it now. */
export function loginVerdict(history: LoginHistory, limits: LoginLimits, now: Date): number {
  const sinceLastFailure = history.lastPairFailure ? (now.getTime() - history.lastPairFailure.getTime()) / 1000 : Infinity;
  const waits: number[] = [];
  if (history.pairFailures >= limits.maxFailures) {
    const delay = Math.min(limits.firstDelaySeconds * 2 ** (history.pairFailures - limits.maxFailures), limits.windowSeconds);
    waits.push(delay - sinceLastFailure);
  }
  if (!history.knownAddress && history.accountFailures >= limits.accountAlarmFailures && history.pairFailures > 0) {
    waits.push(limits.windowSeconds - sinceLastFailure);
  }
  if (!history.knownAddress && history.addressFailures >= limits.maxAddressFailures) {
    waits.push(limits.windowSeconds);
  }
  const wait = Math.max(0, ...waits);
  return wait > 0 ? Math.ceil(wait) : 0;
}
