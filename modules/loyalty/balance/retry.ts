/**
 * Runs `work` again when MariaDB picked its transaction as a deadlock victim (nothing of it was kept).
 * Under concurrent recharges and spends of different customers, billing's locking reads of credit
 * sources take gap locks that can cross; billing retries a few times itself, and every write here is
 * idempotent (payment reference, ledger source key), so running it again is safe.
 */
export async function retryingDeadlocks<T>(work: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 40));
    }
  }
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT' || code === 'SQLITE_BUSY';
}
