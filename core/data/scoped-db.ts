import type { Knex } from 'knex';
import type { Principal } from '../security/request-context';
import { ForbiddenError, NotFoundError } from '../errors';
import type { AuditLog } from './audit-log';
import type { EventBus } from '../events/event-bus';
import type { EventName } from '../modules/module-api';
import type { Sequences } from './sequences';
import type { SettingsService } from './settings';
import type { EnqueueOptions, JobQueue } from '../jobs/job-queue';

export interface ScopedDbServices {
  audit: AuditLog;
  events: EventBus;
  sequences: Sequences;
  settings: SettingsService;
  jobs: JobQueue;
  /** Called once a transaction that published events has committed (the relay moves them on). */
  onEventsCommitted?: () => void;
}

type Row = Record<string, unknown>;

export interface WriteOptions {
  /** Set created_at/updated_at/created_by/updated_by (tables made with `businessTable`). Default true. */
  stamp?: boolean;
  /** Record the write in the audit log. Default true. */
  audit?: boolean;
}

/**
 * Data access scoped to the companies a principal may see. Every business read and write of a module
 * goes through here, so the company filter and the audit trail are applied once, not remembered in
 * every query. A query that must cross companies says so with `unscoped(reason)`.
 */
export class ScopedDb {
  constructor(
    private readonly knex: Knex | Knex.Transaction,
    readonly principal: Principal,
    private readonly services: ScopedDbServices,
  ) {}

  get isInTransaction(): boolean {
    return typeof (this.knex as Knex.Transaction).commit === 'function';
  }

  /** The underlying connection or transaction, for building sub-queries on tables already scoped. */
  get client(): string {
    return (this.knex as Knex).client.config.client as string;
  }

  /** A select on `table` limited to the principal's companies. */
  query(table: string, alias?: string): Knex.QueryBuilder {
    return this.from(table, alias).whereIn(`${alias ?? table}.company_id`, this.principal.companyIds);
  }

  /**
   * A select on `table` limited to one of the principal's companies, as a plain equality: next to the
   * list of every company in scope, the planners (SQLite's above all) may pick an index that ignores
   * the order asked for. Refused for a company outside the principal's scope.
   */
  queryCompany(companyId: number, table: string, alias?: string): Knex.QueryBuilder {
    this.assertCompany(companyId);
    return this.from(table, alias).where(`${alias ?? table}.company_id`, Number(companyId));
  }

  private from(table: string, alias?: string): Knex.QueryBuilder {
    return this.knex(alias ? `${table} as ${alias}` : table);
  }

  async findById<T = Row>(table: string, id: number | string): Promise<T | undefined> {
    return (await this.query(table).where(`${table}.id`, id).first()) as T | undefined;
  }

  async getById<T = Row>(table: string, id: number | string, what = 'Record'): Promise<T> {
    const row = await this.findById<T>(table, id);
    if (!row) throw new NotFoundError(what);
    return row;
  }

  /** Throws unless the principal may write into `companyId`. */
  assertCompany(companyId: number): void {
    if (!this.principal.companyIds.includes(Number(companyId))) throw new ForbiddenError(`company ${companyId}`);
  }

  async insert(table: string, row: Row, options: WriteOptions = {}): Promise<number> {
    const companyId = Number(row.company_id ?? this.principal.companyId);
    this.assertCompany(companyId);
    const full: Row = { ...row, company_id: companyId, ...(options.stamp === false ? {} : this.stamp(true)) };
    const [inserted] = await this.knex(table).insert(full);
    const id = Number(typeof inserted === 'object' && inserted !== null ? (inserted as Row).id : inserted);
    if (options.audit !== false) {
      await this.services.audit.record(this.knex, {
        companyId,
        actorId: this.principal.userId,
        action: 'create',
        table,
        recordId: id,
        changes: withoutStamps(row),
      });
    }
    return id;
  }

  /** Updates one row the principal may see; records only the fields that changed. Returns the new row. */
  async update<T = Row>(table: string, id: number | string, patch: Row, options: WriteOptions = {}): Promise<T> {
    if ('company_id' in patch) this.assertCompany(Number(patch.company_id));
    const before = await this.lockById(table, id);
    const changes: Row = {};
    for (const [key, value] of Object.entries(patch)) {
      if (!sameValue(before[key], value)) changes[key] = { from: before[key] ?? null, to: value ?? null };
    }
    if (Object.keys(changes).length > 0) {
      await this.knex(table).where({ id }).update({ ...patch, ...(options.stamp === false ? {} : this.stamp(false)) });
      if (options.audit !== false) {
        await this.services.audit.record(this.knex, {
          companyId: Number(before.company_id),
          actorId: this.principal.userId,
          action: 'update',
          table,
          recordId: Number(id),
          changes,
        });
      }
    }
    return (await this.knex(table).where({ id }).first()) as T;
  }

  async remove(table: string, id: number | string, options: WriteOptions = {}): Promise<void> {
    const before = await this.lockById(table, id);
    await this.knex(table).where({ id }).delete();
    if (options.audit !== false) {
      await this.services.audit.record(this.knex, {
        companyId: Number(before.company_id),
        actorId: this.principal.userId,
        action: 'delete',
        table,
        recordId: Number(id),
        changes: withoutStamps(before),
      });
    }
  }

  /** Records an audit entry for a write done another way (a bulk import, a state change by a service). */
  async audit(entry: { table: string; recordId: number; action: string; changes?: Row; companyId?: number }): Promise<void> {
    await this.auditMany([entry]);
  }

  /** Audit entries for many rows at once (an import), written in batches in the current transaction. */
  async auditMany(entries: Array<{ table: string; recordId: number; action: string; changes?: Row; companyId?: number }>): Promise<void> {
    await this.services.audit.recordMany(
      this.knex,
      entries.map((entry) => ({
        companyId: entry.companyId ?? this.principal.companyId,
        actorId: this.principal.userId,
        action: entry.action,
        table: entry.table,
        recordId: entry.recordId,
        changes: entry.changes ?? {},
      })),
    );
  }

  /** A module's settings for a company the principal may see, read in the current transaction. */
  async settings<T = Row>(module: string, companyId = this.principal.companyId): Promise<T> {
    this.assertCompany(companyId);
    return this.services.settings.get<T>(companyId, module, this.knex);
  }

  /** Runs `work` in one transaction; reuses the current one when already inside a transaction. */
  async transaction<T>(work: (db: ScopedDb) => Promise<T>): Promise<T> {
    if (this.isInTransaction) return work(this);
    return (this.knex as Knex).transaction((trx) => work(new ScopedDb(trx, this.principal, this.services)));
  }

  /**
   * Publishes a domain event inside the current transaction (opens one if needed). An event no
   * manifest declares, or a payload its schema refuses, throws before anything is written.
   */
  async publish<P extends object = Row>(name: EventName<P>, payload: P, companyId = this.principal.companyId): Promise<void> {
    this.assertCompany(companyId);
    this.services.events.check({ name, payload });
    await this.transaction(async (db) => {
      const trx = db.knex as Knex.Transaction & { executionPromise?: Promise<unknown> };
      const { pending } = await this.services.events.publish(trx, { name, companyId, payload, actorId: this.principal.userId });
      // An event already handed over in this transaction needs no relay pass after the commit.
      if (pending) trx.executionPromise?.then(() => this.services.onEventsCommitted?.(), () => undefined);
    });
  }

  /**
   * Queues a job for one of the principal's companies (the current one by default), recorded in the
   * current transaction: it exists if and only if the caller's writes commit, and is handed to the
   * queue after the commit. Someone waiting for an answer (a session or a token) gets a 503 at once
   * when the queue does not answer, and nothing is written; background work records the job anyway,
   * and it runs once the queue is back. Returns the job id.
   */
  async enqueue(name: string, data: unknown, options: Omit<EnqueueOptions, 'trx' | 'userId'> = {}): Promise<string> {
    const companyId = Number(options.companyId ?? this.principal.companyId);
    this.assertCompany(companyId);
    if (this.principal.via !== 'system') await this.services.jobs.assertAvailable();
    return this.transaction((db) =>
      this.services.jobs.enqueue(name, data, { ...options, companyId, userId: this.principal.userId, trx: db.knex as Knex.Transaction }),
    );
  }

  /** Next gap-free number of a per-company sequence, taken in the current transaction. */
  async nextNumber(key: string, companyId = this.principal.companyId): Promise<number> {
    this.assertCompany(companyId);
    return this.transaction((db) => this.services.sequences.next(db.knex as Knex.Transaction, companyId, key));
  }

  /** The last number a per-company sequence gave (0 when none). */
  async lastNumber(key: string, companyId = this.principal.companyId): Promise<number> {
    this.assertCompany(companyId);
    return this.services.sequences.last(this.knex, companyId, key);
  }

  /** Raises a sequence's last number to `lastUsed`, never lowering it; returns the last number. */
  async raiseNumber(key: string, lastUsed: number, companyId = this.principal.companyId): Promise<number> {
    this.assertCompany(companyId);
    return this.transaction((db) => this.services.sequences.raise(db.knex as Knex.Transaction, companyId, key, lastUsed));
  }

  /** The raw connection, not limited to any company. The reason documents why at the call site. */
  unscoped(reason: string): Knex | Knex.Transaction {
    if (!reason) throw new Error('unscoped() needs a reason');
    return this.knex;
  }

  private async lockById(table: string, id: number | string): Promise<Row> {
    let query = this.query(table).where(`${table}.id`, id);
    if (this.isInTransaction && this.client !== 'better-sqlite3') query = query.forUpdate();
    const row = (await query.first()) as Row | undefined;
    if (!row) throw new NotFoundError();
    return row;
  }

  private stamp(creating: boolean): Row {
    const now = new Date();
    const who = this.principal.userId;
    return creating
      ? { created_at: now, updated_at: now, created_by: who, updated_by: who }
      : { updated_at: now, updated_by: who };
  }
}

const STAMPS = new Set(['created_at', 'updated_at', 'created_by', 'updated_by']);
function withoutStamps(row: Row): Row {
  return Object.fromEntries(Object.entries(row).filter(([key]) => !STAMPS.has(key)));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return new Date(a as string).getTime() === new Date(b as string).getTime();
  if (a === null || a === undefined) return b === null || b === undefined;
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b) && b !== null && b !== '';
  return String(a) === String(b);
}
