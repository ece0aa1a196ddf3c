import type { Knex } from 'knex';

/**
 * Runs `work` once `trx` has committed (never when it rolls back), or at once without a transaction:
 * what must only happen to committed rows, such as handing a job to Redis.
 */
export function afterCommit(trx: Knex.Transaction | undefined, work: () => void): void {
  if (!trx) return work();
  const execution = (trx as Knex.Transaction & { executionPromise?: Promise<unknown> }).executionPromise;
  if (!execution) return work();
  execution.then(() => work(), () => undefined);
}
