/**
 * Two kinds of HTTP load compared on a shared, busy machine (schemes' benches): the load runs in short
 * slices of each kind in the order A B B A A B ..., so a burst of someone else's work falls on both
 * kinds alike. Each adjacent pair (one slice of each) gives a ratio; the figure is the median of those
 * ratios, printed with their range, beside the overall rates.
 */
import { performance } from 'node:perf_hooks';

export interface Slices {
  /** Calls per second over every slice of each kind. */
  rate: { a: number; b: number };
  /** b / a per pair of adjacent slices, sorted. */
  ratios: number[];
  median: number;
  failed: { a: number; b: number };
  firstError: string | null;
}

export async function alternatingSlices(
  work: { a: () => Promise<void>; b: () => Promise<void> },
  options: { connections: number; sliceSeconds: number; pairs: number; before?: () => Promise<void>; after?: (kind: 'a' | 'b') => Promise<void> },
): Promise<Slices> {
  const totals = { a: { n: 0, s: 0, failed: 0 }, b: { n: 0, s: 0, failed: 0 } };
  let firstError: string | null = null;
  const ratios: number[] = [];
  for (let p = 0; p < options.pairs; p++) {
    const rates = { a: 0, b: 0 };
    for (const kind of (p % 2 ? ['b', 'a'] : ['a', 'b']) as Array<'a' | 'b'>) {
      await options.before?.();
      const got = await hammer(work[kind], options.connections, options.sliceSeconds);
      await options.after?.(kind);
      totals[kind].n += got.count;
      totals[kind].s += got.seconds;
      totals[kind].failed += got.failed;
      firstError ??= got.firstError;
      rates[kind] = got.count / got.seconds;
    }
    if (rates.a > 0) ratios.push(rates.b / rates.a);
  }
  ratios.sort((x, y) => x - y);
  const mid = ratios.length ? (ratios.length % 2 ? ratios[(ratios.length - 1) / 2] : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2) : 0;
  return {
    rate: { a: totals.a.n / totals.a.s, b: totals.b.n / totals.b.s },
    ratios,
    median: mid,
    failed: { a: totals.a.failed, b: totals.b.failed },
    firstError,
  };
}

/** `connections` loops calling `work` for `seconds`: how many calls completed, and how many failed (not counted). */
export async function hammer(work: () => Promise<void>, connections: number, seconds: number) {
  const started = performance.now();
  const until = started + seconds * 1000;
  let count = 0;
  let failed = 0;
  let firstError: string | null = null;
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < until) {
      try {
        await work();
        count++;
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  }));
  return { count, failed, seconds: (performance.now() - started) / 1000, firstError };
}

/** "0.81 (pairs 0.62–0.95)". */
export function ratioText(s: Slices): string {
  return `${s.median.toFixed(2)} (median of ${s.ratios.length} slice pairs, range ${(s.ratios[0] ?? 0).toFixed(2)}–${(s.ratios[s.ratios.length - 1] ?? 0).toFixed(2)})`;
}
