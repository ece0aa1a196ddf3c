import type { Container } from 'inversify';
import { CORE, deferredWrite, type ScopedDb } from 'tessera/core';
import type { NotificationRecord } from '../api';

const TABLE = 'messaging_notifications';
export const DELIVER_JOB = 'messaging.deliver';
/** Requests served by one batch at most. */
const BATCH_MAX = 50;
/**
 * Batches under way at once. One at a time lets the senders that arrive meanwhile form the next batch;
 * a second keeps one slow batch (a row waiting on a lock another transaction holds) from holding up
 * every sender of the process.
 */
const IN_FLIGHT = 2;

/** A notification row as `notify` renders it, before it is written. */
export type NotificationRow = Record<string, unknown> & { company_id: number; dedupe_key: string; channel: NotificationRecord['channel']; status: 'queued' | 'skipped'; reason: string | null };

/**
 * Gathers what arrives while a batch is under way (and in the same turn of the event loop) into the
 * next batch. `run` answers every item of its batch itself; should it throw all the same, `fail`
 * answers them with its error, so no sender waits for ever (an item answered twice keeps its first answer).
 */
export class Batcher<T> {
  private readonly pending: T[] = [];
  private running = 0;

  constructor(
    private readonly run: (batch: T[]) => Promise<void>,
    private readonly fail: (item: T, error: unknown) => void,
  ) {}

  add(item: T): void {
    this.pending.push(item);
    if (this.running < IN_FLIGHT) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running++;
    try {
      await new Promise((resolve) => setImmediate(resolve));
      while (this.pending.length) {
        const batch = this.pending.splice(0, BATCH_MAX);
        await this.run(batch).catch((error: unknown) => batch.forEach((item) => this.fail(item, error)));
      }
    } finally {
      this.running--;
    }
  }
}

interface Contexts {
  system(companyIds: number[]): { db: ScopedDb };
}

/**
 * The rows of several senders in one transaction: one multi-row insert, its ids read back, and one
 * delivery job per company for the queued ones. Each sender's company was checked against its own
 * principal; each row is stamped with its sender. Throws, having written nothing, on any failure (a
 * dedupe key taken); answers the records of each sender, in its order.
 */
export async function writeTogether(container: Container, senders: Array<{ userId: number | null; rows: NotificationRow[] }>): Promise<NotificationRecord[][]> {
  const now = new Date();
  const rows = senders.flatMap((s) => s.rows.map((row) => ({ ...row, created_at: now, updated_at: now, created_by: s.userId, updated_by: s.userId })));
  const companies = [...new Set(rows.map((r) => r.company_id))];
  const { db } = container.get<Contexts>(CORE.Contexts).system(companies);
  const returns = await insertReturns(db.unscoped('asks the server its version') as import('knex').Knex);
  return db.transaction(async (tx) => {
    const knex = tx.unscoped('rows of companies each sender was checked for') as import('knex').Knex;
    let written: Array<{ id: unknown; company_id: unknown; dedupe_key: string }>;
    if (returns) {
      // MariaDB answers the ids with the insert: one statement.
      const insert = knex(TABLE).insert(rows).toSQL().toNative();
      [written] = await knex.raw(`${insert.sql} returning id, company_id, dedupe_key`, insert.bindings as any[]);
    } else {
      // Its answer is not read (the ids are read back below): on MySQL it rides in one packet with that
      // read. A dedupe key taken fails that read with its error, and the batch as before.
      await deferredWrite(knex(TABLE).insert(rows));
      // Read back rather than counted from the first id: consecutive ids of a multi-row insert are a server setting.
      written = await knex(TABLE).whereIn('company_id', companies).whereIn('dedupe_key', rows.map((r) => r.dedupe_key)).select('id', 'company_id', 'dedupe_key');
    }
    const ids = new Map(written.map((w) => [`${w.company_id}:${w.dedupe_key}`, Number(w.id)]));
    const id = (row: NotificationRow) => ids.get(`${row.company_id}:${row.dedupe_key}`)!;
    for (const companyId of companies) {
      const queued = rows.filter((r) => r.company_id === companyId && r.status === 'queued').map(id);
      if (queued.length === 1) await tx.enqueue(DELIVER_JOB, { notification_id: queued[0] }, { jobKey: `${DELIVER_JOB}:${queued[0]}`, companyId });
      // One job delivers them all. Its key is no single notification's: a job taking some of them along
      // settles nothing of it, and it runs for the rest.
      else if (queued.length > 1) await tx.enqueue(DELIVER_JOB, { notification_ids: queued }, { jobKey: `${DELIVER_JOB}:batch:${queued[0]}`, companyId });
    }
    return senders.map((s) => s.rows.map((row) => ({ id: id(row), channel: row.channel, status: row.status, created: true, reason: row.reason })));
  });
}

/** Whether the server answers an insert's rows (`INSERT ... RETURNING`: MariaDB 10.5 and later), asked once per pool. */
const returning = new WeakMap<object, Promise<boolean>>();
function insertReturns(knex: import('knex').Knex): Promise<boolean> {
  if (knex.client.config.client !== 'mysql2') return Promise.resolve(false);
  const key = knex.client.config as object;
  let known = returning.get(key);
  if (!known) {
    known = knex.raw('select version() as v').then(
      ([rows]: any) => {
        const [, major, minor] = /^(\d+)\.(\d+).*mariadb/i.exec(String(rows[0]?.v)) ?? [];
        return Number(major) > 10 || (Number(major) === 10 && Number(minor) >= 5);
      },
      () => {
        returning.delete(key);
        return false;
      },
    );
    returning.set(key, known);
  }
  return known;
}
