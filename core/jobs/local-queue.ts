import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { CronExpressionParser } from './cron';
import type { EnqueueOptions, JobInfo, JobQueue, JobStatus, QueueCounts } from './job-queue';
import { JobRegistry, queueOf } from './job-registry';
import { isDuplicateKey } from '../db/db-lock';
import { toDate } from '../db/schema-helpers';
import type { Logger } from '../kernel/logger';

/**
 * The embedded queue: jobs are rows of `core_jobs`, run in-process by a small poller. It keeps the
 * same guarantees as the Redis queue that matter to modules: idempotent keys, retries, progress, and
 * jobs that survive a restart.
 */
export class LocalJobQueue implements JobQueue {
  readonly kind = 'local' as const;
  private timer: NodeJS.Timeout | null = null;
  private scheduleTimers: NodeJS.Timeout[] = [];
  private active = 0;
  private stopped = true;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly knex: Knex,
    private readonly registry: JobRegistry,
    private readonly logger: Logger,
    private readonly concurrency = 2,
  ) {}

  async enqueue(name: string, data: unknown, options: EnqueueOptions = {}): Promise<string> {
    const jobKey = options.jobKey ?? crypto.randomUUID();
    const now = new Date();
    try {
      const [id] = await this.knex('core_jobs').insert({
        queue: queueOf(name),
        name,
        job_key: jobKey,
        data: JSON.stringify(data ?? null),
        status: 'waiting',
        attempts: 0,
        max_attempts: options.attempts ?? (this.registry.has(name) ? this.registry.get(name).attempts : 3),
        run_after: new Date(now.getTime() + (options.delayMs ?? 0)),
        created_at: now,
      });
      this.kick();
      return String(id);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.knex('core_jobs').where({ job_key: jobKey }).first('id');
      return String(existing.id);
    }
  }

  async get(id: string): Promise<JobInfo | null> {
    const row = await this.knex('core_jobs').where({ id }).first();
    return row ? toInfo(row) : null;
  }

  async list(options: { status?: JobStatus; queue?: string; limit?: number }): Promise<JobInfo[]> {
    const query = this.knex('core_jobs').orderBy('id', 'desc').limit(options.limit ?? 50);
    if (options.status) query.where({ status: options.status });
    if (options.queue) query.where({ queue: options.queue });
    return (await query).map(toInfo);
  }

  async counts(): Promise<QueueCounts[]> {
    const rows = await this.knex('core_jobs').select('queue', 'status').count({ n: '*' }).groupBy('queue', 'status');
    const byQueue = new Map<string, QueueCounts>();
    for (const row of rows as any[]) {
      const counts = byQueue.get(row.queue) ?? { queue: row.queue, waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 };
      (counts as any)[row.status] = Number(row.n);
      byQueue.set(row.queue, counts);
    }
    return [...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue));
  }

  async retry(id: string): Promise<void> {
    await this.knex('core_jobs').where({ id, status: 'failed' }).update({ status: 'waiting', attempts: 0, error: null, run_after: new Date() });
    this.kick();
  }

  async ping(): Promise<boolean> {
    await this.knex('core_jobs').first('id');
    return true;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    // A job left active by a process that died goes back to the queue.
    await this.knex('core_jobs').where({ status: 'active' }).update({ status: 'waiting', run_after: new Date() });
    this.timer = setInterval(() => this.kick(), 250);
    this.timer.unref();
    for (const schedule of this.registry.schedules) this.plan(schedule.name, schedule.cron);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const t of this.scheduleTimers) clearTimeout(t);
    this.scheduleTimers = [];
    await this.whenIdle();
  }

  /** Resolves when no job is running and none is due (tests use it to wait for the queue). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.kick();
      const due = await this.knex('core_jobs').whereIn('status', ['waiting', 'active']).andWhere('run_after', '<=', new Date()).first('id');
      if (!due && this.active === 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('Job queue did not drain in time');
  }

  private whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private kick(): void {
    if (this.stopped) return;
    while (this.active < this.concurrency) {
      this.active++;
      void this.runOne()
        .catch((error) => this.logger.error({ err: error }, 'local job queue error'))
        .then((ran) => {
          this.active--;
          if (this.active === 0) this.idleWaiters.splice(0).forEach((w) => w());
          if (ran) this.kick();
        });
      break;
    }
  }

  /** Claims the oldest due job with a conditional update, so two pollers never take the same one. */
  private async runOne(): Promise<boolean> {
    const candidate = await this.knex('core_jobs').where({ status: 'waiting' }).andWhere('run_after', '<=', new Date()).orderBy('id').first();
    if (!candidate) return false;
    const claimed = await this.knex('core_jobs')
      .where({ id: candidate.id, status: 'waiting' })
      .update({ status: 'active', attempts: candidate.attempts + 1, started_at: new Date() });
    if (claimed !== 1) return true;
    const id = String(candidate.id);
    try {
      const definition = this.registry.get(candidate.name);
      const result = await definition.handler({
        data: JSON.parse(candidate.data),
        jobId: id,
        progress: async (percent, detail) => {
          await this.knex('core_jobs').where({ id }).update({ progress: Math.round(percent), detail: detail ? JSON.stringify(detail) : null });
        },
      });
      await this.knex('core_jobs').where({ id }).update({ status: 'completed', progress: 100, result: JSON.stringify(result ?? null), finished_at: new Date(), error: null });
    } catch (error) {
      const attempts = candidate.attempts + 1;
      const final = attempts >= candidate.max_attempts;
      this.logger.warn({ job: candidate.name, id, attempts, err: error }, final ? 'job failed' : 'job failed, will retry');
      await this.knex('core_jobs')
        .where({ id })
        .update({
          status: final ? 'failed' : 'waiting',
          error: String((error as Error)?.stack ?? error).slice(0, 4000),
          run_after: new Date(Date.now() + backoffMs(attempts)),
          finished_at: final ? new Date() : null,
        });
    }
    return true;
  }

  /** Enqueues a scheduled job at each cron tick, keyed by the tick so several processes add it once. */
  private plan(name: string, cron: string): void {
    if (this.stopped) return;
    const next = CronExpressionParser.next(cron);
    const timer = setTimeout(() => {
      void this.enqueue(name, {}, { jobKey: `${name}@${next.toISOString()}` }).finally(() => this.plan(name, cron));
    }, Math.max(0, next.getTime() - Date.now()));
    timer.unref();
    this.scheduleTimers.push(timer);
  }
}

function backoffMs(attempts: number): number {
  return Math.min(60_000, 500 * 2 ** (attempts - 1));
}

function toInfo(row: any): JobInfo {
  return {
    id: String(row.id),
    queue: row.queue,
    name: row.name,
    status: row.status,
    progress: Number(row.progress),
    detail: row.detail ? JSON.parse(row.detail) : null,
    data: JSON.parse(row.data),
    result: row.result ? JSON.parse(row.result) : null,
    error: row.error,
    attempts: Number(row.attempts),
    created_at: toDate(row.created_at),
    finished_at: toDate(row.finished_at),
  };
}
