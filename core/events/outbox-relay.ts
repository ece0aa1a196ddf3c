import type { Knex } from 'knex';
import type { EventBus } from './event-bus';
import type { JobQueue } from '../jobs/job-queue';

export const OUTBOX_JOB = 'core.event';

/**
 * The job of each (event, handler) pair, in `trx`, under a fixed key: the publisher's transaction (a
 * process that relays hands its own events over as it records them) or a relay pass; either way two
 * hand-overs of one event make one job.
 */
export async function enqueueOutboxJobs(queue: JobQueue, trx: Knex.Transaction, eventId: number, handlers: string[]): Promise<void> {
  for (const handler of handlers) {
    // Jobs of the installation, not of the event's company: only super admins see and retry them.
    await queue.enqueue(OUTBOX_JOB, { eventId, handler }, { jobKey: `event:${eventId}:${handler}`, attempts: 5, companyId: null, trx });
  }
}

/**
 * Moves committed outbox rows to the job queue. Each (event, handler) pair is recorded in the job
 * ledger under a fixed job key, in the transaction that marks the event dispatched, so a relay that
 * dies half-way leaves either both or neither, and two relays at once still make one job. The ledger
 * needs only the database: events keep flowing into it while Redis is away.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly knex: Knex,
    private readonly bus: EventBus,
    private readonly queue: JobQueue,
  ) {}

  async dispatchPending(limit = 200): Promise<number> {
    const rows = await this.knex('core_outbox').whereNull('dispatched_at').orderBy('id').limit(limit).select('id', 'event', 'payload');
    for (const row of rows) {
      await this.knex.transaction(async (trx) => {
        await enqueueOutboxJobs(this.queue, trx, Number(row.id), this.bus.outboxHandlers(row.event, JSON.parse(row.payload)));
        await trx('core_outbox').where({ id: row.id }).update({ dispatched_at: new Date() });
      });
    }
    return rows.length;
  }

  /** Runs now, unless a pass is under way (its result is shared). */
  kick(): Promise<number> {
    if (!this.running) {
      this.running = this.dispatchPending().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.kick().catch(() => undefined), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
