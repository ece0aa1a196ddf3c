import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isDuplicateKey } from '../db/db-lock';
import { deferredWrite } from '../db/deferred-writes';
// Claims, completions and hand-overs of many rows meet on the ledger: MariaDB may pick one as a deadlock
// victim, and a lost claim would leave its job waiting until the lost-job check, a minute later.
import { retryOnConflict as writeAgain } from '../db/db-errors';
import { isMysql, toDate } from '../db/schema-helpers';
import type { EnqueueOptions, JobInfo, JobScope, JobStatus, QueueCounts } from './job-queue';
import { JobRegistry, queueOf } from './job-registry';

const TABLE = 'core_jobs';

/** A job a process has claimed: only the holder of `claimer` may report its progress and its end. */
export interface ClaimedJob {
  id: string;
  name: string;
  data: unknown;
  /** Attempts so far, this one included; null when the claim was told the job rather than reading it. */
  attempts: number | null;
  companyId: number | null;
  userId: number | null;
}

/** What a backend needs to hand a job over: the id and how many times it has been handed over. */
export interface Handover {
  id: string;
  gen: number;
  /**
   * Recorded as handed over with its row (under this epoch): the hand-over after the commit only gives
   * it to the backend, and takes the mark back if that fails.
   */
  markedAs?: string;
  /** What the job is, when small enough to travel with it: its run then claims it without reading it back. */
  job?: JobDescription;
}

/**
 * A job's unchanging part (name, data, company, user are written once, with the row): a backend that
 * carries it spares each run a read of the ledger. The key ties it to its row: a copy that outlived
 * its row (a database restored under a Redis that kept its jobs) claims nothing.
 */
export interface JobDescription {
  key: string;
  name: string;
  /** The data as stored, JSON. */
  data: string;
  companyId: number | null;
  userId: number | null;
}

/** Data larger than this stays in the ledger alone; its run reads it there. */
const CARRIED_DATA_MAX = 2048;

function descriptionOf(row: { job_key: string; name: string; data: string; company_id: unknown; user_id: unknown }): JobDescription | undefined {
  if (row.data.length > CARRIED_DATA_MAX) return undefined;
  return { key: row.job_key, name: row.name, data: row.data, companyId: nullableNumber(row.company_id), userId: nullableNumber(row.user_id) };
}

/**
 * The database's record of every job, whichever backend runs it. Exactly-once rests here, not on the
 * backend: a job runs only after a guarded update moved it from waiting to active under one claimer,
 * and only that claimer may finish it. A backend may deliver a job twice (Redis lost and relayed
 * again, a stalled worker); the second delivery finds nothing to claim.
 */
export class JobLedger {
  constructor(
    private readonly knex: Knex,
    private readonly registry: JobRegistry,
  ) {}

  /**
   * Records a job once per key, in the caller's transaction when given one, saying also how to hand it
   * over when that is known without reading it back: a job this call inserted, due now, is at its first
   * hand-over (generation 0). With `relayEpoch` (the backend answers, under that epoch), a job due now
   * is written already marked as handed over: its hand-over after the commit then costs the ledger no
   * update. Should the process die between the commit and the hand-over, the lost-job check
   * (`relayedBefore`) finds the job missing from the backend and hands it over again.
   */
  async recordJob(name: string, data: unknown, options: EnqueueOptions = {}, relayEpoch: string | null = null): Promise<{ id: string; handover: Handover | null }> {
    const db = options.trx ?? this.knex;
    const jobKey = options.jobKey ?? crypto.randomUUID();
    const now = new Date();
    const delayMs = options.delayMs ?? 0;
    const stored = JSON.stringify(data ?? null);
    const marked = relayEpoch !== null && delayMs <= 0;
    try {
      const [id] = await db(TABLE).insert({
        queue: queueOf(name),
        name,
        job_key: jobKey,
        data: stored,
        status: 'waiting',
        attempts: 0,
        max_attempts: options.attempts ?? (this.registry.has(name) ? this.registry.get(name).attempts : 3),
        run_after: new Date(now.getTime() + delayMs),
        created_at: now,
        company_id: options.companyId ?? null,
        user_id: options.userId ?? null,
        ...(marked ? { relayed_at: now, relay_epoch: relayEpoch } : {}),
      });
      const job = descriptionOf({ job_key: jobKey, name, data: stored, company_id: options.companyId ?? null, user_id: options.userId ?? null });
      return { id: String(id), handover: delayMs > 0 ? null : { id: String(id), gen: 0, ...(marked ? { markedAs: relayEpoch! } : {}), ...(job ? { job } : {}) } };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    // The key is taken. A locking read sees the committed row that a plain read in a repeatable-read
    // transaction begun earlier could still miss.
    const query = db(TABLE).where({ job_key: jobKey });
    const existing = await (isMysql(this.knex) ? query.forShare() : query).first('id', 'status');
    if (!existing) throw new Error(`Job key "${jobKey}" is taken, yet no job holds it`);
    if (existing.status === 'failed') await this.rearm(String(existing.id), db);
    return { id: String(existing.id), handover: null };
  }

  /**
   * Completes the waiting jobs of `companyId` under these keys without running them (another job did
   * their work). Returns the hand-overs of those a backend was given, for it to drop them.
   */
  async settle(jobKeys: string[], companyId: number, result: unknown, db: Knex | Knex.Transaction = this.knex): Promise<{ settled: number; relayed: Handover[] }> {
    if (!jobKeys.length) return { settled: 0, relayed: [] };
    const query = db(TABLE).whereIn('job_key', jobKeys).where({ company_id: companyId, status: 'waiting' });
    // Locked until the caller commits: a worker cannot claim one between this read and the update.
    const rows = await (isMysql(this.knex) ? query.clone().forUpdate() : query.clone()).select('id', 'relay_gen', 'relayed_at');
    if (!rows.length) return { settled: 0, relayed: [] };
    const settled = await db(TABLE)
      .whereIn('id', rows.map((r: any) => r.id))
      .where({ status: 'waiting' })
      .update({ status: 'completed', progress: 100, result: JSON.stringify(result ?? null), error: null, finished_at: new Date(), lease_until: null });
    return { settled, relayed: rows.filter((r: any) => r.relayed_at !== null).map((r: any) => ({ id: String(r.id), gen: Number(r.relay_gen) })) };
  }

  /** A failed job starts again from its first attempt; false when it is not failed. */
  async rearm(id: string, db: Knex | Knex.Transaction = this.knex): Promise<boolean> {
    if (!isId(id)) return false;
    const updated = await db(TABLE)
      .where({ id, status: 'failed' })
      .update({ status: 'waiting', attempts: 0, error: null, progress: 0, detail: null, run_after: new Date(), finished_at: null, relayed_at: null, relay_gen: db.raw('?? + 1', ['relay_gen']) });
    return updated === 1;
  }

  async get(id: string): Promise<JobInfo | null> {
    if (!isId(id)) return null;
    const row = await this.knex(TABLE).where({ id }).first();
    return row ? toInfo(row, new Date()) : null;
  }

  async list(options: { scope: JobScope; status?: JobStatus; queue?: string; limit?: number }): Promise<JobInfo[]> {
    const now = new Date();
    const query = this.scoped(options.scope).orderBy('id', 'desc').limit(options.limit ?? 50);
    if (options.status === 'delayed') query.where({ status: 'waiting' }).andWhere('run_after', '>', now);
    else if (options.status === 'waiting') query.where({ status: 'waiting' }).andWhere('run_after', '<=', now);
    else if (options.status) query.where({ status: options.status });
    if (options.queue) query.where({ queue: options.queue });
    return (await query).map((row: any) => toInfo(row, now));
  }

  async counts(scope: JobScope): Promise<QueueCounts[]> {
    const state = this.knex.raw(`case when status = 'waiting' and run_after > ? then 'delayed' else status end as state`, [new Date()]);
    const rows = await this.scoped(scope).select('queue', state).count({ n: '*' }).groupBy('queue', 'state');
    const byQueue = new Map<string, QueueCounts>();
    for (const row of rows as Array<{ queue: string; state: keyof Omit<QueueCounts, 'queue'>; n: number | string }>) {
      const counts = byQueue.get(row.queue) ?? { queue: row.queue, waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 };
      counts[row.state] = Number(row.n);
      byQueue.set(row.queue, counts);
    }
    return [...byQueue.values()].sort((a, b) => a.queue.localeCompare(b.queue));
  }

  /** Ids of the oldest jobs due now (the embedded poller). */
  async due(limit: number): Promise<string[]> {
    const rows = await this.knex(TABLE).where({ status: 'waiting' }).andWhere('run_after', '<=', new Date()).orderBy('id').limit(limit).pluck('id');
    return rows.map(String);
  }

  async hasPending(): Promise<boolean> {
    return Boolean(await this.knex(TABLE).whereIn('status', ['waiting', 'active']).andWhere('run_after', '<=', new Date()).first('id'));
  }

  /**
   * Takes a due job for `claimer`; null when another process has it, or it is not due or finished.
   * Told what the job is (`known`, carried by the backend), the claim is the run's only read of the ledger.
   */
  async claim(id: string, claimer: string, leaseMs: number, known?: JobDescription): Promise<ClaimedJob | null> {
    if (!isId(id)) return null;
    const now = new Date();
    const claimed = await writeAgain(() =>
      this.knex(TABLE)
        .where({ id, status: 'waiting', ...(known ? { job_key: known.key } : {}) })
        .andWhere('run_after', '<=', now)
        .andWhere('attempts', '<', this.knex.ref('max_attempts'))
        .update({ status: 'active', attempts: this.knex.raw('?? + 1', ['attempts']), claimed_by: claimer, lease_until: new Date(now.getTime() + leaseMs), started_at: now, progress: 0, detail: null }),
    );
    if (claimed !== 1) return null;
    if (known) return { id, name: known.name, data: JSON.parse(known.data), attempts: null, companyId: known.companyId, userId: known.userId };
    const row = await this.knex(TABLE).where({ id }).first('id', 'name', 'data', 'attempts', 'company_id', 'user_id');
    return { id, name: row.name, data: JSON.parse(row.data), attempts: Number(row.attempts), companyId: nullableNumber(row.company_id), userId: nullableNumber(row.user_id) };
  }

  /** Pushes the lease back; false when the job is no longer this claimer's. */
  async heartbeat(id: string, claimer: string, leaseMs: number, patch: Record<string, unknown> = {}): Promise<boolean> {
    const updated = await writeAgain(() => this.knex(TABLE).where({ id, claimed_by: claimer, status: 'active' }).update({ ...patch, lease_until: new Date(Date.now() + leaseMs) }));
    return updated === 1;
  }

  async progress(id: string, claimer: string, leaseMs: number, percent: number, detail?: Record<string, unknown>): Promise<boolean> {
    return this.heartbeat(id, claimer, leaseMs, { progress: Math.max(0, Math.min(100, Math.round(percent))), detail: detail ? JSON.stringify(detail) : null });
  }

  async complete(id: string, claimer: string, result: unknown): Promise<boolean> {
    const updated = await writeAgain(() => this.completion(this.knex, id, claimer, result));
    return updated === 1;
  }

  /**
   * The same end, written in the handler's transaction `trx` and deferred: it travels with the
   * transaction's next statement (its COMMIT at the latest), and nobody reads its count. A claim lost
   * meanwhile (the lease ran out, another run took the job over) makes it change nothing: that run decides.
   */
  async completeIn(trx: Knex.Transaction, id: string, claimer: string, result: unknown): Promise<void> {
    await deferredWrite(this.completion(trx, id, claimer, result));
  }

  private completion(db: Knex | Knex.Transaction, id: string, claimer: string, result: unknown): Knex.QueryBuilder {
    return db(TABLE)
      .where({ id, claimed_by: claimer, status: 'active' })
      .update({ status: 'completed', progress: 100, result: JSON.stringify(result ?? null), error: null, finished_at: new Date(), lease_until: null }) as unknown as Knex.QueryBuilder;
  }

  /** Records a failed attempt: waiting again after a pause, or failed for good after the last attempt. */
  async fail(id: string, claimer: string, error: string): Promise<{ final: boolean; attempts: number } | null> {
    const row = await this.knex(TABLE).where({ id, claimed_by: claimer, status: 'active' }).first('attempts', 'max_attempts');
    if (!row) return null;
    const attempts = Number(row.attempts);
    const final = attempts >= Number(row.max_attempts);
    const updated = await writeAgain(() =>
      this.knex(TABLE)
        .where({ id, claimed_by: claimer, status: 'active' })
        .update({ ...this.released(final, error), run_after: new Date(Date.now() + backoffMs(attempts)) }),
    );
    return updated === 1 ? { final, attempts } : null;
  }

  /**
   * Jobs whose process stopped holding them (it died, or lost the database for longer than the lease)
   * go back to waiting, or fail when that was their last attempt.
   */
  async expireLeases(limit = 100): Promise<number> {
    const now = new Date();
    const stale = (q: Knex.QueryBuilder) => q.where({ status: 'active' }).andWhere((w) => w.whereNull('lease_until').orWhere('lease_until', '<', now));
    const rows = await stale(this.knex(TABLE)).orderBy('id').limit(limit).select('id', 'attempts', 'max_attempts');
    let expired = 0;
    for (const row of rows) {
      const final = Number(row.attempts) >= Number(row.max_attempts);
      expired += await stale(this.knex(TABLE).where({ id: row.id })).update({ ...this.released(final, 'The process running it stopped before it finished'), run_after: now });
    }
    return expired;
  }

  /** Forgets completed jobs finished before `before`, a batch at a time. */
  async prune(before: Date, batch = 1000): Promise<number> {
    const ids = await this.knex(TABLE).where({ status: 'completed' }).andWhere('finished_at', '<', before).limit(batch).pluck('id');
    return ids.length ? this.knex(TABLE).whereIn('id', ids).delete() : 0;
  }

  // ---- hand-over to a backend that may lose jobs (Redis) ---------------------------------------

  /** Due waiting jobs no backend has been given yet. */
  async unrelayed(limit: number, ids?: string | string[]): Promise<Handover[]> {
    const query = this.knex(TABLE).where({ status: 'waiting' }).whereNull('relayed_at').andWhere('run_after', '<=', new Date());
    if (ids !== undefined) query.whereIn('id', (Array.isArray(ids) ? ids : [ids]).filter(isId));
    const rows = await query.orderBy('id').limit(limit).select('id', 'relay_gen', 'job_key', 'name', 'data', 'company_id', 'user_id');
    return rows.map((r: any) => {
      const job = descriptionOf(r);
      return { id: String(r.id), gen: Number(r.relay_gen), ...(job ? { job } : {}) };
    });
  }

  /** Many hand-overs in one statement per generation (nearly always one: a job's first hand-over is 0). */
  async markRelayedMany(jobs: Handover[], epoch: string): Promise<void> {
    const byGen = new Map<number, string[]>();
    for (const job of jobs) byGen.set(job.gen, [...(byGen.get(job.gen) ?? []), job.id]);
    const now = new Date();
    for (const [gen, ids] of byGen) {
      await writeAgain(() => this.knex(TABLE).whereIn('id', ids.sort((a, b) => Number(a) - Number(b))).where({ relay_gen: gen }).whereNull('relayed_at').update({ relayed_at: now, relay_epoch: epoch }));
    }
  }

  /**
   * Jobs recorded as handed over that the backend could not be given after all: the relay loop hands
   * them over. A mark the relay loop or the lost-job check changed since is left alone.
   */
  async unmarkRelayed(jobs: Handover[]): Promise<void> {
    for (const job of jobs) {
      await this.knex(TABLE).where({ id: job.id, relay_gen: job.gen, status: 'waiting', relay_epoch: job.markedAs ?? null }).whereNotNull('relayed_at').update({ relayed_at: null });
    }
  }

  /** The backend lost everything it held before `epoch` began: hand every waiting job over again. */
  async forgetRelaysBefore(epoch: string): Promise<number> {
    return this.knex(TABLE)
      .where({ status: 'waiting' })
      .whereNotNull('relayed_at')
      .andWhere((q) => q.whereNull('relay_epoch').orWhereNot('relay_epoch', epoch))
      .update({ relayed_at: null });
  }

  /** Waiting jobs handed over before `before`: the ones to ask the backend about. */
  async relayedBefore(before: Date, limit: number): Promise<Handover[]> {
    const rows = await this.knex(TABLE).where({ status: 'waiting' }).andWhere('relayed_at', '<', before).andWhere('run_after', '<=', new Date()).orderBy('relayed_at').limit(limit).select('id', 'relay_gen');
    return rows.map((r: any) => ({ id: String(r.id), gen: Number(r.relay_gen) }));
  }

  async handover(id: string): Promise<(Handover & { status: string; relayed: boolean }) | null> {
    if (!isId(id)) return null;
    const row = await this.knex(TABLE).where({ id }).first('id', 'status', 'relay_gen', 'relayed_at');
    return row ? { id, gen: Number(row.relay_gen), status: row.status, relayed: row.relayed_at !== null } : null;
  }

  /** The backend still holds the job: look again later. */
  async touchRelayed(job: Handover): Promise<void> {
    await this.knex(TABLE).where({ id: job.id, relay_gen: job.gen, status: 'waiting' }).whereNotNull('relayed_at').update({ relayed_at: new Date() });
  }

  /** The backend lost this one job: a new hand-over, under a new generation so no old copy stands in its way. */
  async relayLost(job: Handover): Promise<boolean> {
    const updated = await writeAgain(() => this.knex(TABLE).where({ id: job.id, relay_gen: job.gen, status: 'waiting' }).update({ relayed_at: null, relay_gen: job.gen + 1 }));
    return updated === 1;
  }

  private released(final: boolean, error: string): Record<string, unknown> {
    return {
      status: final ? 'failed' : 'waiting',
      error: error.slice(0, 4000),
      finished_at: final ? new Date() : null,
      claimed_by: null,
      lease_until: null,
      relayed_at: null,
      relay_gen: this.knex.raw('?? + 1', ['relay_gen']),
    };
  }

  private scoped(scope: JobScope): Knex.QueryBuilder {
    const query = this.knex(TABLE);
    if (scope !== 'all') query.whereIn('company_id', scope.companyIds.map(Number));
    return query;
  }
}

export function backoffMs(attempts: number): number {
  return Math.min(60_000, 500 * 2 ** (attempts - 1));
}

function isId(id: string): boolean {
  return /^[1-9]\d{0,17}$/.test(String(id));
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toInfo(row: any, now: Date): JobInfo {
  const runAfter = toDate(row.run_after);
  const delayed = row.status === 'waiting' && runAfter !== null && runAfter > now;
  return {
    id: String(row.id),
    queue: row.queue,
    name: row.name,
    status: delayed ? 'delayed' : row.status,
    progress: Number(row.progress),
    detail: row.detail ? JSON.parse(row.detail) : null,
    data: JSON.parse(row.data),
    result: row.result ? JSON.parse(row.result) : null,
    error: row.error,
    attempts: Number(row.attempts),
    company_id: nullableNumber(row.company_id),
    user_id: nullableNumber(row.user_id),
    created_at: toDate(row.created_at),
    finished_at: toDate(row.finished_at),
  };
}
