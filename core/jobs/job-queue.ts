/**
 * The job queue every module enqueues to. Two implementations share this contract: bull on Redis
 * (`REDIS_URL` set) and a database-backed queue run in-process (the embedded default).
 */
export type JobStatus = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed';

export interface JobInfo {
  id: string;
  queue: string;
  name: string;
  status: JobStatus;
  progress: number;
  detail: Record<string, unknown> | null;
  data: unknown;
  result: unknown;
  error: string | null;
  attempts: number;
  created_at: Date | null;
  finished_at: Date | null;
}

export interface EnqueueOptions {
  /** Idempotency key: enqueuing twice with the same key gives one job. */
  jobKey?: string;
  attempts?: number;
  delayMs?: number;
}

export interface QueueCounts {
  queue: string;
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

export interface JobQueue {
  readonly kind: 'bull' | 'local';
  /** `name` is `<module>.<job>`; the module's queue runs it. Returns the job id. */
  enqueue(name: string, data: unknown, options?: EnqueueOptions): Promise<string>;
  get(id: string): Promise<JobInfo | null>;
  list(options: { status?: JobStatus; queue?: string; limit?: number }): Promise<JobInfo[]>;
  counts(): Promise<QueueCounts[]>;
  retry(id: string): Promise<void>;
  /** True when the queue's backend answers (for /healthz). */
  ping(): Promise<boolean>;
  /** Start processing (web process in embedded mode, worker processes with Redis). */
  start(): Promise<void>;
  stop(): Promise<void>;
}
