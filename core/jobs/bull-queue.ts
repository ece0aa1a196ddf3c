import Bull from 'bull';
import type { EnqueueOptions, JobInfo, JobQueue, JobStatus, QueueCounts } from './job-queue';
import { JobRegistry, queueOf } from './job-registry';
import type { Logger } from '../kernel/logger';

const PREFIX = 'tessera';

/**
 * Jobs on Redis with bull: one bull queue per module, job ids `<queue>:<bull id>`. Worker processes
 * call `start()`; web processes only enqueue and read.
 */
export class BullJobQueue implements JobQueue {
  readonly kind = 'bull' as const;
  private readonly queues = new Map<string, Bull.Queue>();
  private started = false;

  constructor(
    private readonly redisUrl: string,
    private readonly registry: JobRegistry,
    private readonly logger: Logger,
    private readonly concurrency = 2,
    /** Separates test runs sharing one Redis. */
    private readonly prefix = PREFIX,
  ) {}

  private queue(name: string): Bull.Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Bull(name, this.redisUrl, { prefix: this.prefix });
      queue.on('error', (error) => this.logger.error({ err: error, queue: name }, 'bull queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private knownQueues(): string[] {
    return [...new Set([...this.registry.names().map(queueOf), ...this.queues.keys()])].sort();
  }

  async enqueue(name: string, data: unknown, options: EnqueueOptions = {}): Promise<string> {
    const queueName = queueOf(name);
    const attempts = options.attempts ?? (this.registry.has(name) ? this.registry.get(name).attempts : 3);
    const job = await this.queue(queueName).add(name, data ?? null, {
      jobId: options.jobKey,
      attempts,
      delay: options.delayMs,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
    return `${queueName}:${job.id}`;
  }

  async get(id: string): Promise<JobInfo | null> {
    const parts = splitId(id);
    if (!parts) return null;
    const [queueName, jobId] = parts;
    const job = await this.queue(queueName).getJob(jobId);
    return job ? await toInfo(queueName, job) : null;
  }

  async list(options: { status?: JobStatus; queue?: string; limit?: number }): Promise<JobInfo[]> {
    const statuses: Bull.JobStatus[] = options.status ? [options.status as Bull.JobStatus] : ['active', 'waiting', 'delayed', 'failed', 'completed'];
    const limit = options.limit ?? 50;
    const result: JobInfo[] = [];
    for (const queueName of options.queue ? [options.queue] : this.knownQueues()) {
      const jobs = await this.queue(queueName).getJobs(statuses, 0, limit - 1);
      for (const job of jobs.filter(Boolean)) result.push(await toInfo(queueName, job));
    }
    return result.sort((a, b) => (b.created_at?.getTime() ?? 0) - (a.created_at?.getTime() ?? 0)).slice(0, limit);
  }

  async counts(): Promise<QueueCounts[]> {
    const result: QueueCounts[] = [];
    for (const queueName of this.knownQueues()) {
      const c = await this.queue(queueName).getJobCounts();
      result.push({ queue: queueName, waiting: c.waiting, active: c.active, completed: c.completed, failed: c.failed, delayed: c.delayed });
    }
    return result;
  }

  async retry(id: string): Promise<void> {
    const parts = splitId(id);
    if (!parts) return;
    const [queueName, jobId] = parts;
    const job = await this.queue(queueName).getJob(jobId);
    if (job && (await job.isFailed())) await job.retry();
  }

  async ping(): Promise<boolean> {
    const client = this.queue('core').client;
    return (await client.ping()) === 'PONG';
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const name of this.registry.names()) {
      const definition = this.registry.get(name);
      void this.queue(queueOf(name)).process(name, this.concurrency, async (job) =>
        definition.handler({
          data: job.data,
          jobId: `${queueOf(name)}:${job.id}`,
          progress: async (percent, detail) => {
            await job.progress({ percent: Math.round(percent), detail: detail ?? null });
          },
        }),
      );
    }
    for (const schedule of this.registry.schedules) {
      await this.queue(queueOf(schedule.name)).add(schedule.name, {}, { repeat: { cron: schedule.cron }, jobId: schedule.name });
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
    this.started = false;
  }

  /** Removes every job and key of this prefix (tests). */
  async obliterate(): Promise<void> {
    for (const queueName of this.knownQueues()) await this.queue(queueName).obliterate({ force: true });
    const client = this.queue('core').client;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      if (keys.length) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
}

/** `crm:42` -> ['crm', '42']; an id without a queue part names no job. */
function splitId(id: string): [string, string] | null {
  const at = id.indexOf(':');
  return at > 0 ? [id.slice(0, at), id.slice(at + 1)] : null;
}

async function toInfo(queueName: string, job: Bull.Job): Promise<JobInfo> {
  const state = (await job.getState()) as string;
  const progress = job.progress() as { percent?: number; detail?: Record<string, unknown> } | number;
  const percent = typeof progress === 'number' ? progress : (progress?.percent ?? 0);
  return {
    id: `${queueName}:${job.id}`,
    queue: queueName,
    name: job.name,
    status: (state === 'paused' ? 'waiting' : state) as JobStatus,
    progress: state === 'completed' ? 100 : percent,
    detail: typeof progress === 'object' ? (progress?.detail ?? null) : null,
    data: job.data,
    result: job.returnvalue ?? null,
    error: job.failedReason ?? null,
    attempts: job.attemptsMade,
    created_at: job.timestamp ? new Date(job.timestamp) : null,
    finished_at: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}
