import crypto from 'node:crypto';
import Bull from 'bull';
import type { Knex } from 'knex';
import type { JobQueue, QueueState } from './job-queue';
import { QueueUnavailableError } from './job-queue';
import type { Handover, JobDescription } from './job-ledger';
import type { JobRegistry } from './job-registry';
import { LedgerQueue } from './ledger-queue';
import { answerWithin, REDIS_ANSWER_MS, RedisConnections, redisAddress, whenReady } from './redis-connections';
import type { Logger } from '../kernel/logger';

export interface BullQueueOptions {
  redisUrl: string;
  /** Names this installation's keys (`tessera:<instance>:...`), so installations can share one Redis. */
  instanceName: string;
  concurrency?: number;
  /** How long a claim holds without a heartbeat before another worker may take the job over. */
  leaseMs?: number;
  /** How often recorded jobs are handed to Redis and Redis is checked for lost ones. */
  relayMs?: number;
  /** A waiting job handed over this long ago is looked up in Redis, in case it alone was lost. */
  staleMs?: number;
}

/** Every job travels through one bull queue; the ledger, not Redis, knows its module and its state. */
const TRANSPORT = 'jobs';
const LIVE_STATES = ['waiting', 'active', 'delayed', 'paused'];
const KEEP_COMPLETED_MS = 7 * 24 * 3600_000;
const NOT_CONNECTED = 'not connected yet';
const RELAY_BATCH = 200;
const RELAY_BATCHES = 5;

/**
 * Jobs on Redis with bull. The ledger in the database is the truth; Redis only carries job ids to the
 * workers. Recorded jobs are handed over after their transaction commits and by a relay loop that
 * also notices when Redis lost what it held (its epoch key is gone, or a job is no longer there) and
 * hands those jobs over again. A worker runs a delivered job only if it can claim it in the ledger,
 * so a job delivered twice still runs once.
 */
export class BullJobQueue extends LedgerQueue implements JobQueue {
  readonly kind = 'bull' as const;
  readonly prefix: string;
  private readonly address: string;
  private readonly leaseMs: number;
  private readonly producer: Bull.Queue;
  private readonly connections = new Map<Bull.Queue, RedisConnections>();
  private worker: Bull.Queue | null = null;
  private relayTimer: NodeJS.Timeout | null = null;
  private relayPass: Promise<void> | null = null;
  private knownEpoch: string | null = null;
  private problem: string | null = NOT_CONNECTED;
  private passes = 0;
  private lastPrune = 0;
  private working = false;
  private stopped = false;
  /** Committed jobs waiting for the hand-over on its way (see `handOver`). */
  private readonly pending: Array<{ id: string; known: Handover | null }> = [];
  private flushing: Promise<void> | null = null;

  constructor(
    knex: Knex,
    registry: JobRegistry,
    private readonly logger: Logger,
    private readonly options: BullQueueOptions,
  ) {
    super(knex, registry, logger, options.leaseMs ?? 30_000);
    this.prefix = `tessera:${options.instanceName}`;
    this.address = redisAddress(options.redisUrl);
    this.leaseMs = options.leaseMs ?? 30_000;
    this.producer = this.bullQueue();
    // Connect now, so the first request already knows whether Redis answers.
    const client = this.producer.client;
    // Logged once per outage, not once per reconnection attempt.
    const down = (reason: string) => {
      if (this.stopped) return;
      if (this.problem === null || this.problem === NOT_CONNECTED) this.logger.warn({ redis: this.address, reason }, 'Redis does not answer; jobs wait in the database');
      this.problem = reason;
    };
    client.on('ready', () => {
      if (this.problem !== null && this.problem !== NOT_CONNECTED) this.logger.info({ redis: this.address }, 'Redis answers again');
      this.problem = null;
    });
    client.on('error', (error: Error) => down(error.message || String(error)));
    client.on('close', () => {
      if (this.problem === null) down('connection closed');
    });
  }

  /**
   * Straight to Redis when it answers; otherwise the relay loop hands the job over once it does.
   * Jobs committed while a hand-over is on its way go together in the next one: one `addBulk` and one
   * ledger update for all of them, instead of a read, a Redis round trip and an update each.
   */
  protected handOver(id: string, known?: Handover | null): void {
    this.pending.push({ id, known: known ?? null });
    if (!this.flushing) this.flushing = this.flushHandOvers();
  }

  private async flushHandOvers(): Promise<void> {
    // Lets the other commits of this turn of the event loop join the first hand-over.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.pending.length) {
        const batch = this.pending.splice(0, RELAY_BATCH);
        await this.relayMany(batch).catch((error) => this.logger.debug({ err: error, jobs: batch.length }, 'jobs left for the relay loop'));
      }
    } finally {
      this.flushing = null;
    }
  }

  /**
   * A job recorded while Redis answers and the relay loop knows its epoch is marked as handed over with
   * its row (one ledger update fewer per hand-over). The epoch the relay loop last read (it reads it
   * every pass): a hand-over marked under an epoch Redis has since lost is handed over again by the
   * next pass, as any job Redis lost.
   */
  protected override relayEpoch(): string | null {
    return this.producer.client.status === 'ready' ? this.knownEpoch : null;
  }

  /** Hands recorded jobs to Redis, those due and not handed over yet; the ledger is read only for those whose hand-over is not known. */
  private async relayMany(batch: Array<{ id: string; known: Handover | null }>): Promise<void> {
    // Marked as handed over with their rows, yet Redis does not have them: the relay loop will.
    const marked = batch.flatMap((b) => (b.known?.markedAs ? [b.known] : []));
    if (this.producer.client.status !== 'ready') {
      if (marked.length) await this.ledger.unmarkRelayed(marked);
      return;
    }
    try {
      const unknown = batch.filter((b) => !b.known).map((b) => b.id);
      const jobs = [...batch.flatMap((b) => (b.known ? [b.known] : [])), ...(unknown.length ? await this.ledger.unrelayed(unknown.length, unknown) : [])];
      // A Redis read per hand-over saved: only before the relay loop's first pass is the epoch read here.
      if (jobs.length) await this.addManyToRedis(jobs, this.knownEpoch ?? (await this.epoch()));
    } catch (error) {
      if (marked.length) await this.ledger.unmarkRelayed(marked);
      throw error;
    }
  }

  async ensureQueued(id: string): Promise<void> {
    await this.assertAvailable();
    const job = await this.ledger.handover(id);
    if (!job || job.status !== 'waiting') return;
    if (job.relayed) {
      if (await this.holds(job)) return;
      await this.ledger.relayLost(job);
    }
    await this.relay(id);
  }

  async assertAvailable(): Promise<void> {
    if (await whenReady(this.producer.client, 1000)) return;
    throw new QueueUnavailableError(this.describeProblem());
  }

  state(): QueueState {
    const reachable = this.producer.client.status === 'ready';
    return { reachable, problem: reachable ? null : this.describeProblem() };
  }

  async ping(): Promise<boolean> {
    try {
      return (await answerWithin(this.producer.client.ping(), REDIS_ANSWER_MS, 'ping')) === 'PONG';
    } catch (error) {
      throw new Error(this.producer.client.status === 'ready' ? `Redis at ${this.address}: ${(error as Error).message}` : this.describeProblem());
    }
  }

  async start(): Promise<void> {
    if (this.working) return;
    this.working = true;
    this.startRelay();
    this.planner.start();
    void this.work();
  }

  startRelay(): void {
    if (this.relayTimer || this.stopped) return;
    this.relayTimer = setInterval(() => void this.relayPassOnce(), this.options.relayMs ?? 1000);
    this.relayTimer.unref();
    void this.relayPassOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.relayTimer) clearInterval(this.relayTimer);
    this.relayTimer = null;
    this.planner.stop();
    await this.relayPass;
    await this.flushing;
    // A worker finishes the jobs it holds if it can; what it cannot finish its lease gives back.
    if (this.worker) await this.close(this.worker, 10_000);
    await this.close(this.producer, REDIS_ANSWER_MS);
  }

  /** Removes every key of this installation (tests). */
  async obliterate(): Promise<void> {
    const client = this.producer.client;
    if (client.status !== 'ready') return;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 500);
      if (keys.length) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  /** Takes jobs from Redis once it answers; starts again if Redis went away while it was starting. */
  private async work(): Promise<void> {
    while (!this.stopped) {
      if (!(await whenReady(this.producer.client, 1000))) continue;
      const worker = (this.worker = this.bullQueue());
      try {
        // Resolves only when the worker closes.
        await worker.process(this.options.concurrency ?? 2, async (job: Bull.Job<{ id: string; job?: JobDescription }>) => {
          await this.runner.run(String(job.data.id), job.data.job).catch((error) => this.handBack(job, error));
        });
        return;
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error, redis: this.address }, 'could not start taking jobs from Redis; trying again');
        await this.close(worker, 1000);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /**
   * The ledger could not be written around a run (the database was away or kept losing deadlocks):
   * Redis's copy is spent, so the job is handed over again under a new generation rather than left
   * for the lost-job check.
   */
  private async handBack(job: Bull.Job<{ id: string }>, error: unknown): Promise<void> {
    this.logger.warn({ err: error, job: job.data.id }, 'job could not be taken or settled in the ledger; handing it over again');
    const gen = Number(String(job.id).split('-').pop());
    if (!Number.isInteger(gen)) return;
    if (await this.ledger.relayLost({ id: String(job.data.id), gen }).catch(() => false)) this.handOver(String(job.data.id));
  }

  /**
   * Settled jobs leave Redis: a copy left there would only cost a worker a turn to find nothing to
   * claim. A copy a worker already took is locked and stays; that worker finds the job completed.
   * One pipelined round trip for the batch, with bull's own remove script (which leaves a locked copy
   * alone), instead of reading each job and removing it: two round trips a job.
   */
  protected override dropHandedOver(jobs: Handover[]): void {
    if (this.producer.client.status !== 'ready' || !jobs.length) return;
    const producer = this.producer as Bull.Queue & { isReady(): Promise<unknown> };
    const drop = async () => {
      await producer.isReady();
      const pipeline = producer.client.pipeline() as unknown as { removeJob(...args: string[]): void; exec(): Promise<unknown> };
      for (const job of jobs) pipeline.removeJob(...removeJobArgs(producer, `${job.id}-${job.gen}`));
      await pipeline.exec();
    };
    void answerWithin(drop(), REDIS_ANSWER_MS, 'removing settled jobs').catch((error) => this.logger.debug({ err: error, jobs: jobs.length }, 'settled jobs left in Redis; their runs will find nothing to claim'));
  }

  /** Hands one recorded job to Redis, if it is due and not handed over yet. */
  private async relay(id: string): Promise<void> {
    await this.relayMany([{ id, known: null }]);
  }

  private async addManyToRedis(jobs: Handover[], epoch: string): Promise<void> {
    // The bull id is fixed per hand-over, so handing the same one over twice adds one job.
    // What the job is travels with it when small, so its run claims it without reading it back.
    const copies = jobs.map((job) => ({ data: { id: job.id, ...(job.job ? { job: job.job } : {}) }, opts: { jobId: `${job.id}-${job.gen}` } }));
    // One job (a commit's hand-over, nearly always) is bull's one add script; several go in one MULTI.
    await answerWithin<unknown>(copies.length === 1 ? this.producer.add(copies[0].data, copies[0].opts) : this.producer.addBulk(copies), REDIS_ANSWER_MS, 'adding jobs');
    const unmarked = jobs.filter((job) => !job.markedAs);
    if (unmarked.length) await this.ledger.markRelayedMany(unmarked, epoch);
  }

  private relayPassOnce(): Promise<void> {
    this.relayPass ??= this.maintain()
      .catch((error) => this.logger.debug({ err: error }, 'job relay pass failed'))
      .finally(() => {
        this.relayPass = null;
      });
    return this.relayPass;
  }

  /** One pass of the relay loop: give back dead workers' jobs, notice losses, hand over what waits. */
  private async maintain(): Promise<void> {
    this.passes++;
    await this.ledger.expireLeases();
    if (this.producer.client.status !== 'ready') return;
    const epoch = await this.epoch();
    if (epoch !== this.knownEpoch || this.passes % 5 === 0) {
      const forgotten = await this.ledger.forgetRelaysBefore(epoch);
      if (forgotten > 0) this.logger.warn({ jobs: forgotten, redis: this.address }, 'Redis lost jobs it held; handing them over again');
      this.knownEpoch = epoch;
    }
    // Jobs are handed over one by one after their commit; this catches up with what Redis missed
    // (a burst while it was away), a bounded number per pass so a pass stays short.
    for (let batch = 0; batch < RELAY_BATCHES; batch++) {
      const due = await this.ledger.unrelayed(RELAY_BATCH);
      if (due.length) await this.addManyToRedis(due, epoch);
      if (due.length < RELAY_BATCH) break;
    }
    if (this.passes % 5 === 0) await this.findLostJobs();
    if (Date.now() - this.lastPrune > 3600_000) {
      this.lastPrune = Date.now();
      await this.ledger.prune(new Date(Date.now() - KEEP_COMPLETED_MS));
    }
  }

  /** Jobs Redis lost one by one (an eviction, a worker that could not reach the database). */
  private async findLostJobs(): Promise<void> {
    for (const job of await this.ledger.relayedBefore(new Date(Date.now() - (this.options.staleMs ?? 60_000)), 20)) {
      if (await this.holds(job)) await this.ledger.touchRelayed(job);
      else if (await this.ledger.relayLost(job)) this.logger.warn({ job: job.id }, 'Redis lost a job; handing it over again');
    }
  }

  private async holds(job: Handover): Promise<boolean> {
    const found = await answerWithin(this.producer.getJob(`${job.id}-${job.gen}`), REDIS_ANSWER_MS, 'reading a job');
    return !!found && LIVE_STATES.includes(await answerWithin(found.getState(), REDIS_ANSWER_MS, 'reading a job'));
  }

  /**
   * An id Redis keeps for as long as it keeps its data: when it changes, everything handed over
   * under the old one is gone (a FLUSHALL, a restart without persistence, a failover to an empty replica).
   */
  private async epoch(): Promise<string> {
    const client = this.producer.client;
    const key = `${this.prefix}:epoch`;
    const current = await client.get(key);
    if (current) return current;
    await client.set(key, crypto.randomUUID(), 'NX');
    return (await client.get(key)) as string;
  }

  private bullQueue(): Bull.Queue {
    const connections = new RedisConnections();
    const queue = new Bull(TRANSPORT, this.options.redisUrl, {
      prefix: this.prefix,
      createClient: (type, redisOptions) => connections.create(type, redisOptions),
      settings: { lockDuration: this.leaseMs, stalledInterval: this.leaseMs, maxStalledCount: 1, retryProcessDelay: 1000 },
      defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: true },
    });
    // Connection errors are reported once, by the producer's listeners; bull repeats each one.
    queue.on('error', () => undefined);
    this.connections.set(queue, connections);
    return queue;
  }

  private async close(queue: Bull.Queue, ms: number): Promise<void> {
    await Promise.race([queue.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);
    this.connections.get(queue)?.disconnect();
    this.connections.delete(queue);
  }

  private describeProblem(): string {
    return `Redis at ${this.address} does not answer: ${this.problem ?? this.producer.client.status}`;
  }
}

/** The keys and arguments of bull's `removeJob` script, as bull's own `Job#remove` passes them (bull 4). */
function removeJobArgs(queue: Bull.Queue, jobId: string): string[] {
  const q = queue as unknown as { keys: Record<string, string>; toKey(name: string): string; token: string };
  const keys = [q.keys.active, q.keys.wait, q.keys.delayed, q.keys.paused, q.keys.completed, q.keys.failed, q.keys.priority, q.toKey(jobId), q.toKey(`${jobId}:logs`), q.keys.limiter, q.toKey('')];
  return [...keys, jobId, q.token];
}
