import type { Knex } from 'knex';
import { AppError } from '../errors';

/**
 * The job queue every module enqueues to. Every job is first a row of the database's job ledger
 * (`core_jobs`), written in the caller's transaction when there is one; a queue implementation only
 * decides how the recorded jobs reach a process that runs them: bull on Redis (`REDIS_URL` set) or a
 * poller on the database in-process (the embedded default). Whatever Redis loses, the ledger still
 * holds, and the job is handed over again.
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
  /** The company the job works for; null for the installation's own work (outbox, schedules). */
  company_id: number | null;
  /** Who started it, when a person did. */
  user_id: number | null;
  created_at: Date | null;
  finished_at: Date | null;
}

export interface EnqueueOptions {
  /** Idempotency key: enqueuing twice with the same key gives one job. */
  jobKey?: string;
  attempts?: number;
  delayMs?: number;
  /** The company the job works for. Without one, only super admins see the job. */
  companyId?: number | null;
  userId?: number | null;
  /** Record the job in this transaction: it exists if and only if the caller's writes commit. */
  trx?: Knex.Transaction;
}

/** Whose jobs a reader may see: every job (super admins), or the jobs of some companies. */
export type JobScope = 'all' | { companyIds: number[] };

export interface QueueCounts {
  queue: string;
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

export interface QueueState {
  /** Whether the backend answered when last asked; never waits for it. */
  reachable: boolean;
  /** What is wrong, in words an administrator can act on. */
  problem: string | null;
}

export interface JobQueue {
  readonly kind: 'bull' | 'local';
  /**
   * `name` is `<module>.<job>`; the module's queue runs it. Returns the job id. Enqueuing the key of a
   * job that failed for good queues it again; a job still pending or completed is returned as it is.
   */
  enqueue(name: string, data: unknown, options?: EnqueueOptions): Promise<string>;
  /** A job by id, whoever it belongs to: callers holding an id they stored, or checking `inScope`. */
  get(id: string): Promise<JobInfo | null>;
  list(options: { scope: JobScope; status?: JobStatus; queue?: string; limit?: number }): Promise<JobInfo[]>;
  counts(scope: JobScope): Promise<QueueCounts[]>;
  /**
   * Another job did the work of these jobs of `companyId` (a batch took them along): those still
   * waiting are completed with `result`, in `trx` when given, and never run. Returns how many.
   */
  settle(jobKeys: string[], options: { companyId: number; result?: unknown; trx?: Knex.Transaction }): Promise<number>;
  /** Queues a failed job again, from its first attempt. False when it is not failed. */
  retry(id: string): Promise<boolean>;
  /** Hands a pending job to its backend again if the backend no longer holds it (Redis lost it). */
  ensureQueued(id: string): Promise<void>;
  /** Throws `QueueUnavailableError` quickly when the backend does not answer (a request should not wait for it). */
  assertAvailable(): Promise<void>;
  state(): QueueState;
  /** True when the queue's backend answers (for /healthz); bounded in time. */
  ping(): Promise<boolean>;
  /** Run jobs in this process (embedded mode, worker processes), and plan the scheduled ones. */
  start(): Promise<void>;
  /** Hand recorded jobs to the backend (web processes with Redis); nothing to do for the embedded queue. */
  startRelay(): void;
  stop(): Promise<void>;
}

/** The backend of the queue does not answer: 503, with what to do about it. */
export class QueueUnavailableError extends AppError {
  constructor(problem: string) {
    super(503, 'queue_unavailable', `The job queue is unreachable (${problem}); nothing was queued. Try again in a moment.`);
  }
}

export function inScope(job: { company_id: number | null }, scope: JobScope): boolean {
  if (scope === 'all') return true;
  return job.company_id !== null && scope.companyIds.includes(job.company_id);
}
