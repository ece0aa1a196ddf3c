import type { Knex } from 'knex';
import type { EnqueueOptions, JobInfo, JobScope, JobStatus, QueueCounts } from './job-queue';
import { JobLedger, type Handover } from './job-ledger';
import type { JobRegistry } from './job-registry';
import { JobRunner } from './job-runner';
import { SchedulePlanner } from './job-schedules';
import { afterCommit } from '../db/after-commit';
import type { Logger } from '../kernel/logger';

/**
 * What both queues share: jobs are recorded in the ledger and read from it, and each queue only says
 * how a recorded job reaches a process that runs it (`handOver`, called once the job is committed).
 */
export abstract class LedgerQueue {
  protected readonly ledger: JobLedger;
  protected readonly runner: JobRunner;
  protected readonly planner: SchedulePlanner;

  constructor(knex: Knex, registry: JobRegistry, logger: Logger, leaseMs: number) {
    this.ledger = new JobLedger(knex, registry);
    this.runner = new JobRunner(this.ledger, registry, logger, leaseMs);
    this.planner = new SchedulePlanner(registry, (name, data, opts) => this.enqueue(name, data, opts), logger);
  }

  async enqueue(name: string, data: unknown, options: EnqueueOptions = {}): Promise<string> {
    const { id, handover } = await this.ledger.recordJob(name, data, options, this.relayEpoch());
    afterCommit(options.trx, () => this.handOver(id, handover));
    return id;
  }

  get(id: string): Promise<JobInfo | null> {
    return this.ledger.get(id);
  }

  list(options: { scope: JobScope; status?: JobStatus; queue?: string; limit?: number }): Promise<JobInfo[]> {
    return this.ledger.list(options);
  }

  counts(scope: JobScope): Promise<QueueCounts[]> {
    return this.ledger.counts(scope);
  }

  async settle(jobKeys: string[], options: { companyId: number; result?: unknown; trx?: Knex.Transaction }): Promise<number> {
    const { settled, relayed } = await this.ledger.settle(jobKeys, options.companyId, options.result, options.trx);
    if (relayed.length) afterCommit(options.trx, () => this.dropHandedOver(relayed));
    return settled;
  }

  /**
   * The epoch under which a job recorded now may be marked as handed over with its row (see
   * `JobLedger.recordJob`); null (the default) to mark it once the backend has it.
   */
  protected relayEpoch(): string | null {
    return null;
  }

  /** The backend may drop its copies of these jobs, settled in the ledger (a copy it keeps runs as a no-op). */
  protected dropHandedOver(_jobs: Handover[]): void {}

  async retry(id: string): Promise<boolean> {
    const rearmed = await this.ledger.rearm(id);
    if (rearmed) this.handOver(id);
    return rearmed;
  }

  /**
   * Passes a committed job on towards a process that runs it; never throws (the relay catches up).
   * `known` is its hand-over when the ledger knows it without a read (a job just inserted, due now).
   */
  protected abstract handOver(id: string, known?: Handover | null): void;
}
