import os from 'node:os';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { JobDescription, JobLedger } from './job-ledger';
import type { JobRegistry } from './job-registry';
import type { Logger } from '../kernel/logger';

/**
 * Runs one job of the ledger in this process, whichever backend delivered it: claims it, keeps its
 * lease alive while the handler works, and records how it ended. Both queues use it, so a job behaves
 * the same on Redis and on the embedded queue.
 */
export class JobRunner {
  /** Who holds a claim: the host and process (an operator can tell which worker runs what), and a nonce. */
  readonly claimer = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;

  constructor(
    private readonly ledger: JobLedger,
    private readonly registry: JobRegistry,
    private readonly logger: Logger,
    private readonly leaseMs: number,
  ) {}

  /**
   * 'skipped' when the job was not there to take: finished, not due, or running elsewhere. `known`:
   * what the job is, when the backend carried it (the ledger is then not read back after the claim).
   */
  async run(id: string, known?: JobDescription): Promise<'ran' | 'skipped'> {
    const job = await this.ledger.claim(id, this.claimer, this.leaseMs, known);
    if (!job) return 'skipped';
    const heartbeat = setInterval(() => {
      this.ledger.heartbeat(id, this.claimer, this.leaseMs).catch((error) => this.logger.warn({ err: error, job: job.name, id }, 'job lease not renewed'));
    }, Math.max(250, Math.floor(this.leaseMs / 3)));
    heartbeat.unref();
    // Whether the handler ended the job in a transaction of its own, and whether that one committed:
    // the last one asked decides (a transaction tried again after a deadlock asks again).
    let endedIn = null as Promise<boolean> | null;
    try {
      const result = await this.registry.get(job.name).handler({
        data: job.data,
        jobId: id,
        companyId: job.companyId,
        userId: job.userId,
        progress: async (percent, detail) => {
          await this.ledger.progress(id, this.claimer, this.leaseMs, percent, detail);
        },
        completeWith: async (db, result) => {
          const trx = db.unscoped('the job ledger row of the job this handler runs') as Knex.Transaction & { executionPromise?: Promise<unknown> };
          if (!db.isInTransaction || !trx.executionPromise) throw new Error('completeWith() needs the handler\'s transaction');
          await this.ledger.completeIn(trx, id, this.claimer, result);
          endedIn = trx.executionPromise.then(
            () => true,
            () => false,
          );
        },
      });
      clearInterval(heartbeat);
      if (endedIn && (await endedIn)) return 'ran';
      if (!(await this.ledger.complete(id, this.claimer, result))) {
        this.logger.warn({ job: job.name, id }, 'job finished after its lease ran out; the run that took it over decides its outcome');
      }
    } catch (error) {
      clearInterval(heartbeat);
      if (endedIn && (await endedIn)) {
        this.logger.warn({ job: job.name, id, err: error }, 'job threw after its end was committed; it stays completed');
        return 'ran';
      }
      const outcome = await this.ledger.fail(id, this.claimer, String((error as Error)?.stack ?? error));
      this.logger.warn({ job: job.name, id, attempts: outcome?.attempts, err: error }, outcome?.final ? 'job failed' : 'job failed, will retry');
    }
    return 'ran';
  }
}
