/**
 * What a process last read of a bearer token: the token's user and the security version, kept for
 * `ttlMs`. Every API call otherwise reads them, a round trip of its own: about a sixth of the web
 * process's and the database's CPU for a payment (issue 9).
 *
 * - Dropped whole at any change to who may do what (`onSecurityChange`): one made in this process,
 *   or one another process announces over Redis. Without Redis, other processes' changes are seen
 *   within `ttlMs`.
 * - A read that began before a change is not kept: it may hold what the change replaced.
 * - Unknown tokens are never kept. The cache is bounded, so a flood of tokens cannot grow it.
 * - `ttlMs` 0 keeps nothing: every call reads.
 */
export class BearerCache {
  private readonly entries = new Map<string, { until: number; user: Record<string, unknown> }>();
  private changes = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether anything is kept at all (`ttlMs` above 0). */
  get keeps(): boolean {
    return this.ttlMs > 0;
  }

  /** The user kept for this token hash, or undefined when none is kept or it is too old. */
  get(hash: string): Record<string, unknown> | undefined {
    if (this.ttlMs <= 0) return undefined;
    const entry = this.entries.get(hash);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(hash);
      return undefined;
    }
    return entry.user;
  }

  /** A mark to take before reading: `keep` refuses a read that a change overtook. */
  mark(): number {
    return this.changes;
  }

  keep(hash: string, user: Record<string, unknown>, mark: number): void {
    if (this.ttlMs <= 0 || mark !== this.changes) return;
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(hash, { until: this.now() + this.ttlMs, user });
  }

  clear(): void {
    this.changes++;
    this.entries.clear();
  }
}
