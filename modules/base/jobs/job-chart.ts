import type { QueueCounts } from 'tessera/core';

// Order sets the chart colours: blue, green, red, orange, purple.
export const JOB_STATES = ['waiting', 'active', 'failed', 'delayed', 'completed'] as const;

/** The `data-chart` spec tessera.js draws: one group of bars per queue, one bar per state. */
export function jobCountsChart(counts: QueueCounts[]) {
  return {
    type: 'bar',
    title: 'Jobs per queue and state',
    labels: counts.map((c) => c.queue),
    series: JOB_STATES.map((state) => ({ name: state, values: counts.map((c) => Number(c[state] ?? 0)) })),
  };
}

export function totals(counts: QueueCounts[]): Record<(typeof JOB_STATES)[number], number> {
  const sum = { waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 };
  for (const c of counts) for (const state of JOB_STATES) sum[state] += Number(c[state] ?? 0);
  return sum;
}
