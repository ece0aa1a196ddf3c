import type { Knex } from 'knex';
import type { DomainEvent, EventHandlerContext } from '../modules/module-api';
import type { ScopedDb } from '../data/scoped-db';
import type { EventCatalog } from './event-catalog';
import { sentTogether } from '../db/deferred-writes';

export type EventHandler = (ctx: EventHandlerContext<any>) => Promise<void>;

/**
 * A statement an `inTransaction` handler needs answered for the events it wants (a locking read, a
 * guarded update whose count decides), given unsent: the bus sends those of all the event's handlers
 * with the outbox row, in one packet on MySQL/MariaDB, and hands each handler its answer (`sentAhead`).
 * It runs before any handler of the event, so only for rows that the event's other handlers do not
 * touch. null: nothing to send for this payload.
 */
export type EventSendAhead = (ctx: { db: ScopedDb; event: DomainEvent<any> }) => (PromiseLike<unknown> & { queryContext(context?: unknown): unknown }) | null;

/** The data access a handler gets for an event: scoped to its company, audited as its actor. */
export type EventScope = (event: DomainEvent<unknown>, trx: Knex.Transaction) => ScopedDb;

/**
 * Records the job of each outbox handler of a just-recorded event in the publisher's transaction;
 * null when this process does not relay (the relay of some other process moves the row on later).
 */
export type OutboxHandOff = () => ((trx: Knex.Transaction, eventId: number, handlers: string[]) => Promise<void>) | null;

interface Subscription {
  module: string;
  /** Stable name, used in job keys so retries and re-dispatches stay idempotent. */
  name: string;
  mode: 'inTransaction' | 'outbox';
  handler: EventHandler;
  /** Which payloads the handler wants; others are not recorded for it (see `EventRegistrar.on`). */
  only?: (payload: any) => boolean;
  sendAhead?: EventSendAhead;
}

/** Options of `EventBus.on`. */
export interface SubscribeOptions {
  mode?: 'inTransaction' | 'outbox';
  name?: string;
  only?: (payload: any) => boolean;
  /** `inTransaction` only: see `EventSendAhead`. */
  sendAhead?: EventSendAhead;
}

/**
 * Domain events between modules. `inTransaction` handlers run in the publisher's transaction (a throw
 * rolls it back); `outbox` handlers are recorded in `core_outbox` in that same transaction and run
 * later by a job, so a crash between the commit and the enqueue loses nothing. Only events some
 * installed module declares can be published or subscribed to.
 */
export class EventBus {
  private readonly subscriptions = new Map<string, Subscription[]>();

  constructor(
    readonly catalog: EventCatalog,
    private readonly scope: EventScope,
    private readonly handOff: OutboxHandOff = () => null,
  ) {}

  on(module: string, eventName: string, handler: EventHandler, options: SubscribeOptions = {}): void {
    this.catalog.assertSubscribable(module, eventName);
    const list = this.subscriptions.get(eventName) ?? [];
    const name = options.name ?? `${module}:${eventName}:${list.filter((s) => s.module === module).length + 1}`;
    if (list.some((s) => s.name === name)) throw new Error(`Event handler "${name}" is registered twice`);
    const mode = options.mode ?? 'inTransaction';
    if (options.sendAhead && mode !== 'inTransaction') throw new Error(`Event handler "${name}": only an inTransaction handler can send a statement ahead`);
    list.push({ module, name, mode, handler, only: options.only, sendAhead: options.sendAhead });
    this.subscriptions.set(eventName, list);
  }

  /** Throws, before anything is written, unless the event is declared and its payload matches. */
  check(event: Pick<DomainEvent<unknown>, 'name' | 'payload'>): void {
    this.catalog.assertPublishable(event.name, event.payload);
  }

  /**
   * Runs the in-transaction handlers and records the event for the outbox ones. In a process that
   * relays, their jobs are recorded in this same transaction and the row is written already dispatched
   * (one insert per handler instead of a relay pass: a select, a transaction of its own, an insert, an
   * update); `pending` says whether a relay still has to move the row on.
   */
  async publish(trx: Knex.Transaction, event: DomainEvent<unknown>): Promise<{ eventId: number | null; pending: boolean }> {
    this.check(event);
    // A handler that does not want this payload costs nothing: no outbox row, no job, no call.
    const subscribers = this.subscribersOf(event.name, event.payload);
    let eventId: number | null = null;
    let pending = false;
    const inTransaction = subscribers.filter((s) => s.mode === 'inTransaction');
    const db = inTransaction.length ? this.scope(event, trx) : null;
    const reads = inTransaction.map((s) => (s.sendAhead && db ? s.sendAhead({ db, event }) : null));
    const sent = reads.filter((r): r is NonNullable<typeof r> => r !== null);
    let answers: unknown[] = [];
    const outbox = subscribers.filter((s) => s.mode === 'outbox').map((s) => s.name);
    if (outbox.length) {
      const handOff = this.handOff();
      const now = new Date();
      const insert = trx('core_outbox').insert({
        event: event.name,
        company_id: event.companyId,
        actor_id: event.actorId ?? null,
        payload: JSON.stringify(event.payload),
        created_at: now,
        dispatched_at: handOff ? now : null,
      });
      // The handlers' statements travel with the outbox row (one round trip for all on MySQL/MariaDB).
      const [[id], ...read] = await sentTogether<unknown[]>(insert, ...sent) as [number[], ...unknown[]];
      answers = read;
      eventId = Number(id);
      if (handOff) await handOff(trx, eventId, outbox);
      else pending = true;
    } else if (sent.length) answers = await sentTogether<unknown[]>(...sent);
    if (db) {
      let next = 0;
      for (const [i, subscriber] of inTransaction.entries()) {
        const sentAhead = reads[i] === null ? undefined : answers[next++];
        await subscriber.handler({ db, event, eventId, ...(reads[i] === null ? {} : { sentAhead }) });
      }
    }
    return { eventId, pending };
  }

  /** The outbox handlers of an event; with its payload, only those that want it. */
  outboxHandlers(eventName: string, payload?: unknown): string[] {
    const subscribers = payload === undefined ? (this.subscriptions.get(eventName) ?? []) : this.subscribersOf(eventName, payload);
    return subscribers.filter((s) => s.mode === 'outbox').map((s) => s.name);
  }

  private subscribersOf(eventName: string, payload: unknown): Subscription[] {
    return (this.subscriptions.get(eventName) ?? []).filter((s) => !s.only || s.only(payload));
  }

  /** Runs one outbox handler for one recorded event, in its own transaction. */
  async runOutboxHandler(knex: Knex, eventId: number, handlerName: string): Promise<void> {
    const row = await knex('core_outbox').where({ id: eventId }).first();
    if (!row) throw new Error(`Outbox event ${eventId} not found`);
    const subscription = (this.subscriptions.get(row.event) ?? []).find((s) => s.name === handlerName);
    if (!subscription) throw new Error(`No handler "${handlerName}" for event ${row.event}`);
    const event: DomainEvent = { name: row.event, companyId: Number(row.company_id), actorId: row.actor_id == null ? null : Number(row.actor_id), payload: JSON.parse(row.payload) };
    await knex.transaction((trx) => subscription.handler({ db: this.scope(event, trx), event, eventId }));
  }
}
