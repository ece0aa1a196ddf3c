/**
 * The module API: everything a module (built-in or an integrator's) may use to contribute to Tessera.
 * A module's entry file default-exports a `TesseraModule`; the host calls `register` once per process
 * for every installed module, in dependency order.
 */
import type { Container, interfaces } from 'inversify';
import type { Knex } from 'knex';
import type { Request, Response } from 'express';
import type { Manifest } from './manifest';
import type { RequestContext } from '../security/request-context';
import type { JsonSchema } from '../json-schema';
import type { AnyEntity } from '../resources/define-entity';
import type { EntityService } from '../resources/entity-service';
import type { EntityOptions } from '../resources/register-entity';
import type { ScopedDb } from '../data/scoped-db';

export interface TesseraModule {
  register(m: ModuleContext): void | Promise<void>;
}

/** Helper for entry files: gives type checking without a class. */
export function defineModule(module: TesseraModule): TesseraModule {
  return module;
}

export interface ModuleContext {
  readonly manifest: Manifest;
  /** The folder of the module, for reading its own files. */
  readonly dir: string;
  /** The shared inversify container: bind this module's services, get the ones you depend on. */
  readonly container: Container;
  readonly routes: RouteRegistrar;
  readonly events: EventRegistrar;
  readonly jobs: JobRegistrar;
  readonly views: ViewRegistrar;
  readonly services: ServiceRegistrar;
  readonly entities: EntityRegistrar;
  /** Demo data for a first start; runs once per company when the module is installed with demo data on. */
  demo(seeder: DemoSeeder): void;
}

// ---------------------------------------------------------------------------------------------
// Routes

/** The permission every route must name. `authenticated` means any logged-in user. */
export type RoutePermission = string;
export const AUTHENTICATED = 'authenticated';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface PageResult {
  /** Template name, `<module>/<file>` without extension. */
  view: string;
  title?: string;
  data?: Record<string, unknown>;
  status?: number;
}
export interface RedirectResult {
  redirect: string;
  flash?: { type: 'success' | 'error' | 'info'; message: string };
}
/** A handler that wrote the response itself (a CSV stream, a download). */
export const HANDLED = Symbol('handled');

export interface PageRouteInput {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
}

export interface PageRoute {
  method: HttpMethod;
  /** Absolute path, e.g. `/crm/customers/:id`. */
  path: string;
  permission: RoutePermission;
  handler(ctx: RequestContext, input: PageRouteInput, req: Request, res: Response): Promise<PageResult | RedirectResult | typeof HANDLED>;
}

export interface ApiRoute<In = any, Out = any> {
  method: HttpMethod;
  /** Path below `/api/v1/<module>`, e.g. `/customers/{id}` (OpenAPI style parameters). */
  path: string;
  permission: RoutePermission;
  summary: string;
  tags?: string[];
  /** JSON schemas, validated with ajv before the handler runs; also feed the OpenAPI document. */
  params?: JsonSchema;
  query?: JsonSchema;
  body?: JsonSchema;
  /**
   * Set when the body is not JSON (a CSV upload): the handler gets it as `input.body`, an async
   * iterable of Buffer chunks, read only after the caller was authenticated and authorised; stream it
   * to where it goes rather than holding it. At most `maxBytes` (200 MB by default), else 413.
   */
  rawBody?: { contentType: string; maxBytes?: number };
  response?: JsonSchema;
  /** HTTP status for success; 200 by default (201 is common for POST). */
  status?: number;
  /**
   * Honours the `Idempotency-Key` header: the same key (per company, user and route) answers the
   * stored response instead of running again. For POST routes that create money or records.
   */
  idempotent?: boolean;
  handler(ctx: RequestContext, input: { params: any; query: any; body: In }, req: Request, res: Response): Promise<Out | typeof HANDLED>;
}

export interface RouteRegistrar {
  page(route: PageRoute): void;
  api(route: ApiRoute): void;
  /** A page strangers may open (see PublicPageRoute): the only kind of route without a permission. */
  publicPage(route: PublicPageRoute): void;
}

/**
 * A page anyone may open, signed in or not: a customer's web card, a link sent in a message. Its path
 * carries an unguessable token (a `:parameter` the handler looks up), and it says why it is public.
 * The handler starts as nobody: it finds what the token names with `access.lookup`, then works
 * inside that record's company alone with `access.asCompany`.
 */
export interface PublicPageRoute {
  method: 'GET' | 'POST';
  /** Absolute, with at least one `:parameter` (the token), e.g. `/w/:secret`. */
  path: string;
  /** Why strangers may open it, for the people who review routes. Required. */
  reason: string;
  handler(access: PublicAccess, input: PageRouteInput, req: Request, res: Response): Promise<PublicPageResult | RedirectResult | typeof HANDLED>;
}

/** A public page is a whole document of the module's (no back-office shell around it). */
export interface PublicPageResult {
  view: string;
  data?: Record<string, unknown>;
  status?: number;
}

export interface PublicAccess {
  /** A read across companies to find what a token names; say why, as for `ScopedDb.unscoped`. */
  lookup(reason: string): Knex;
  /** The system working inside one company alone: what the token led to, and nothing of other companies. */
  asCompany(companyId: number): Promise<RequestContext>;
}

// ---------------------------------------------------------------------------------------------
// Events

export type EventPayload = Record<string, unknown>;

declare const payloadType: unique symbol;
/**
 * An event's name carrying its payload's type, so publishers and subscribers are checked against it:
 * a module's public face exports `eventName<CustomerDeleted>('crm.customer.deleted')`. A plain string
 * works too, with an untyped payload.
 */
export type EventName<P = EventPayload> = string & { readonly [payloadType]?: P };

export function eventName<P>(name: string): EventName<P> {
  return name as EventName<P>;
}

export interface DomainEvent<P = EventPayload> {
  name: string;
  companyId: number;
  payload: P;
  /** Who caused it, when known. */
  actorId?: number | null;
}

export interface EventHandlerContext<P = EventPayload> {
  /**
   * Data access for the event's company only, working as the system on behalf of the event's actor
   * (the audit trail names that actor). In the publisher's transaction for `inTransaction` handlers,
   * in a fresh one for `outbox` handlers.
   */
  db: ScopedDb;
  event: DomainEvent<P>;
  /** The outbox row's id, stable across retries of an `outbox` handler; null when nothing went to the outbox. */
  eventId: number | null;
  /** What the subscription's `sendAhead` statement answered, sent with the event's outbox row; absent without one. */
  sentAhead?: unknown;
}

export interface EventRegistrar {
  /**
   * Subscribes to an event some installed module declares in its manifest (else the start stops).
   * `inTransaction`: runs inside the publisher's transaction; a throw rolls the publisher back.
   * `outbox`: recorded in the outbox with the publisher's commit and run later by a job, at least once;
   * the handler must be idempotent (the event id is stable across retries).
   * `only`: a quick, pure test of the payload; an event it rejects is not recorded for this handler
   * (no outbox row, no job), which spares an `outbox` handler that wants few of its events a job for each.
   * `sendAhead` (`inTransaction` only): a statement the handler needs answered (a locking read, a guarded
   * update whose count decides), given unsent; the bus sends it with the event's outbox row, a round trip
   * fewer, and the handler finds its answer in `sentAhead`. It runs before any handler of the event:
   * only for rows the event's other handlers do not touch. The handler may throw on its answer (a
   * guard refused): the publisher's transaction rolls back, undoing it.
   */
  on<P = EventPayload>(eventName: EventName<P>, handler: (ctx: EventHandlerContext<P>) => Promise<void>, options?: { mode?: 'inTransaction' | 'outbox'; name?: string; only?: (payload: P) => boolean; sendAhead?: (ctx: { db: ScopedDb; event: DomainEvent<P> }) => (PromiseLike<unknown> & { queryContext(context?: unknown): unknown }) | null }): void;
  /**
   * Whether some installed module declares the event: a module reacting to an optional neighbour
   * subscribes only when it is there (`if (m.events.declared('billing.payment.posted')) m.events.on(...)`).
   */
  declared(eventName: string): boolean;
}

// ---------------------------------------------------------------------------------------------
// Jobs

export interface JobContext<D = any> {
  data: D;
  jobId: string;
  /** The company the job was enqueued for (null for the installation's own work), and who enqueued it. */
  companyId: number | null;
  userId: number | null;
  /** Report progress 0..100; the jobs page and the module's pages can show it. */
  progress(percent: number, detail?: Record<string, unknown>): Promise<void>;
  /**
   * Ends the job, with `result`, in the handler's own transaction (`db` inside `db.transaction`): the
   * job's end commits with the handler's writes, or rolls back with them, and rides with them to the
   * server (on MariaDB, with the COMMIT) instead of costing a round trip of its own after the handler
   * returns. Once that transaction committed, what the handler returns or throws is not recorded.
   * Absent when the handler is called outside a queue (tests).
   */
  completeWith?(db: ScopedDb, result: unknown): Promise<void>;
}

export interface JobRegistrar {
  /** A job this module can enqueue, named `<module>.<name>` in the queue. */
  define<D = any>(name: string, handler: (ctx: JobContext<D>) => Promise<unknown>, options?: { attempts?: number }): void;
  /**
   * A recurring job, cron syntax (`*\/5 * * * *`, or six fields with seconds first). Each tick runs once
   * however many workers run; `data.scheduled_for` names the tick. Scheduled jobs belong to no company.
   */
  schedule(name: string, cron: string, handler: (ctx: JobContext<{ scheduled_for: string }>) => Promise<unknown>): void;
}

// ---------------------------------------------------------------------------------------------
// Views

export interface SlotContribution {
  /** Slot name as the page declares it: `{{{slot "crm.customer.panels"}}}`. */
  slot: string;
  /** Template rendering the panel, `<module>/<file>`. */
  template: string;
  /** Lower first; ties keep dependency order. */
  order?: number;
  /** Shown only to users holding this permission. */
  permission?: string;
  /** Loads the panel's data from the page's data; runs before rendering. */
  data?: (ctx: RequestContext, page: Record<string, unknown>) => Promise<Record<string, unknown>>;
}

export interface ViewRegistrar {
  slot(contribution: SlotContribution): void;
  /**
   * Fills a menu badge an installed manifest declares (`"badge": "messaging.pending"` on a menu entry):
   * a count for the signed-in user in their current company, run on every page they open, so one
   * indexed, bounded query (counts past 99 show as "99+"; 0 shows nothing).
   */
  badge(name: string, source: (ctx: RequestContext) => Promise<number>): void;
}

// ---------------------------------------------------------------------------------------------
// Services and entities

export interface ServiceRegistrar {
  /** Offers `value` to every module under `id` (a Symbol exported from the module's public face). */
  bind<T>(id: interfaces.ServiceIdentifier<T>, value: T): void;
}

export interface EntityRegistrar {
  /**
   * An entity declared with `defineEntity`: binds its service (returned), and derives its JSON API,
   * its pages and its record slots `<module>.<entity>.panels` / `.actions`.
   */
  register<E extends AnyEntity, S extends EntityService<E, any> = EntityService<E>>(entity: E, options?: EntityOptions<E, S>): S;
}

// ---------------------------------------------------------------------------------------------
// Demo data

/**
 * Without `scale`: the small demo of a first start. With it (`tessera demo --scale N`): about N more of
 * the module's main records for an existing company, to see lists, paging and charts at size; a module
 * with nothing to grow returns.
 */
export type DemoSeeder = (ctx: { trx: Knex.Transaction; companyId: number; container: Container; scale?: number }) => Promise<void>;
