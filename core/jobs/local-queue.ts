import type { Knex } from 'knex';
import type { JobQueue, QueueState } from './job-queue';
import type { JobRegistry } from './job-registry';
import { LedgerQueue } from './ledger-queue';
import type { Logger } from '../kernel/logger';

export interface LocalQueueOptions {
  concurrency?: number;
  /** How long a claim holds without a heartbeat before another process may take the job over. */
  leaseMs?: number;
  pollMs?: number;
}

const KEEP_COMPLETED_MS = 7 * 24 * 3600_000;

/**
 * The embedded queue: the ledger is the queue, polled in-process. It keeps the guarantees that matter
 * to modules: idempotent keys, retries, progress, and jobs that survive a restart.
 */
export class LocalJobQueue extends LedgerQueue implements JobQueue {
  readonly kind = 'local' as const;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | null = null;
  private maintenance: NodeJS.Timeout | null = null;
  private lastPrune = 0;
  private active = 0;
  private stopped = true;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly knex: Knex,
    registry: JobRegistry,
    private readonly logger: Logger,
    options: LocalQueueOptions = {},
  ) {
    super(knex, registry, logger, options.leaseMs ?? 30_000);
    this.concurrency = options.concurrency ?? 2;
    this.pollMs = options.pollMs ?? 250;
  }

  /** The poller reads the ledger: a committed job only needs it awake. */
  protected handOver(): void {
    this.kick();
  }

  /** The ledger is this queue: a recorded job cannot be lost between the two. */
  async ensureQueued(): Promise<void> {
    this.kick();
  }

  /** The queue is the database, which answered for the request to get this far. */
  async assertAvailable(): Promise<void> {}

  state(): QueueState {
    return { reachable: true, problem: null };
  }

  async ping(): Promise<boolean> {
    await this.knex('core_jobs').first('id');
    return true;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.maintenance = setInterval(() => void this.maintain(), Math.max(1000, this.pollMs * 4));
    this.maintenance.unref();
    this.planner.start();
    await this.maintain();
    this.kick();
  }

  startRelay(): void {}

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.maintenance) clearInterval(this.maintenance);
    this.planner.stop();
    await this.whenIdle();
  }

  /** Resolves when no job is running and none is due (tests use it to wait for the queue). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.kick();
      if (!(await this.ledger.hasPending()) && this.active === 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('Job queue did not drain in time');
  }

  /** Gives back the jobs of processes that died, and forgets old completed jobs. */
  private async maintain(): Promise<void> {
    try {
      if ((await this.ledger.expireLeases()) > 0) this.kick();
      if (Date.now() - this.lastPrune > 3600_000) {
        this.lastPrune = Date.now();
        await this.ledger.prune(new Date(Date.now() - KEEP_COMPLETED_MS));
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'job queue upkeep failed');
    }
  }

  private whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private kick(): void {
    if (this.stopped || this.active >= this.concurrency) return;
    this.active++;
    void this.runNext()
      .catch((error) => {
        this.logger.error({ err: error }, 'local job queue error');
        return false;
      })
      .then((ran) => {
        this.active--;
        if (this.active === 0) this.idleWaiters.splice(0).forEach((w) => w());
        if (ran) this.kick();
      });
  }

  /** Runs the oldest due job; true when it ran and more may be due. A job another poller took is left to it. */
  private async runNext(): Promise<boolean> {
    const [id] = await this.ledger.due(1);
    if (!id) return false;
    return (await this.runner.run(id)) === 'ran';
  }
}
