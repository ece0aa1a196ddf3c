import type { RequestContext } from '../security/request-context';
import type { ScopedDb } from '../data/scoped-db';
import { applyKeysetOrder, cutKeysetPage, keysetPage, parseKeysetCursor } from '../data/keyset-page';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { isDuplicateKey } from '../db/db-lock';
import type { AnyEntity, ResolvedField } from './define-entity';
import type { BoundedCount, EntityInput, EntityPageOptions, EntityPatch, EntityRow, Page, WriteAction } from './entity-types';
import { cleanInput } from './field-rules';
import { placeOf } from './display-context';
import { fromDb, valueToDb } from './row-mapping';
import { applySearch, filterOf, orderOf, searchAlternatives } from './entity-query';
import type { EntityRegistry, RefOption, RefTarget } from './entity-registry';
import { companyStore, visibleStore, type RowStore } from './row-scope';

type Values = Record<string, unknown>;

/**
 * What is special about an entity, run by its service. Hooks get a context whose `db` is the write's
 * transaction, so whatever they write (derived rows, events) commits or rolls back with it.
 */
export interface EntityHooks<R = Values> {
  /**
   * After the fields are valid: may refuse (throw) or return more columns to store (derived values).
   * A value returned for a field without a column replaces the given one: it is what `afterWrite`
   * gets and what the audit trail records (the caller's part of a set, completed with the rest).
   * `company_id` is the new record's company, always set for company-owned rows; for an entity with a
   * scope of its own, the company the caller named (null: none), if it named one.
   */
  beforeCreate?(ctx: RequestContext, values: Values & CreateOwner<R>): Promise<Values | void>;
  /** `changes` holds only what the caller gave; `before` is the row as it was. */
  beforeUpdate?(ctx: RequestContext, changes: Values, before: R): Promise<Values | void>;
  /** A guard: throw a ConflictError saying why the record cannot go. */
  beforeRemove?(ctx: RequestContext, row: R): Promise<void>;
  /** `values`: what the caller gave, checked, fields without a column of their own included. */
  afterWrite?(ctx: RequestContext, change: { action: WriteAction; row: R | null; before: R | null; values?: Values }): Promise<void>;
}

/** Rows with a company get hooks that know it is there: no `Number(values.company_id)` in modules. */
export type CreateOwner<R> = R extends { company_id: number } ? { company_id: number } : { company_id?: number | null };

export interface EntityServiceOptions<R> {
  /** `<module>.<name>`. */
  fullName: string;
  registry: EntityRegistry;
  hooks?: EntityHooks<R>;
}

const PAGE_LIMIT = { default: 50, max: 200 };

/**
 * The CRUD service every entity gets: reads scoped to the caller's companies, writes validated field
 * by field, unique keys settled by the database (and named), audited through `ctx.db`. Stateless:
 * everything it needs comes with the call's context. Subclass it for what hooks cannot say.
 */
export class EntityService<E extends AnyEntity, R extends Values = EntityRow<E>> {
  readonly fullName: string;
  protected readonly hooks: EntityHooks<R>;
  protected readonly registry: EntityRegistry;

  constructor(
    readonly entity: E,
    options: EntityServiceOptions<R>,
  ) {
    this.fullName = options.fullName;
    this.hooks = options.hooks ?? {};
    this.registry = options.registry;
  }

  protected get table(): string {
    return this.entity.table;
  }

  /** The rows the caller reaches, through `db` (a transaction's) or the context's. */
  protected rows(ctx: RequestContext, db = ctx.db): RowStore {
    const scope = this.entity.rowScope;
    return scope ? visibleStore(ctx.withDb(db), this.table, scope, this.entity.stampColumns) : companyStore(db, this.table);
  }

  /** A keyset page, ordered by `sort`; pages stay index-ordered over several companies. */
  async page(ctx: RequestContext, options: EntityPageOptions = {}): Promise<Page<R>> {
    this.requireRead(ctx);
    const limit = Math.min(Math.max(Math.trunc(Number(options.limit ?? PAGE_LIMIT.default)) || PAGE_LIMIT.default, 1), PAGE_LIMIT.max);
    return this.keyset(ctx, { ...options, limit });
  }

  /** Every matching row up to `limit` (1000): for pickers and small sets, not for large tables. */
  async list(ctx: RequestContext, options: Omit<EntityPageOptions, 'after'> = {}): Promise<R[]> {
    this.requireRead(ctx);
    return (await this.keyset(ctx, { ...options, after: null, limit: options.limit ?? 1000 })).data;
  }

  private async keyset(ctx: RequestContext, options: EntityPageOptions & { limit: number }): Promise<Page<R>> {
    // Every bad parameter is named at once: the sort, each filter, the cursor.
    const errors: Record<string, string> = {};
    const order = collect(errors, () => orderOf(this.entity, options.sort));
    const filter = collect(errors, () => filterOf(ctx, this.entity, options.filters));
    if (order && options.after) collect(errors, () => parseKeysetCursor(options.after!, order));
    if (!order || !filter || Object.keys(errors).length) throw new ValidationError(errors);
    if (this.entity.rowScope) {
      // Rows of no company are few (companies, shared records): one ordered query, no branches.
      const query = this.rows(ctx).query('c').select('c.*');
      filter(query, 'c');
      applySearch(query, 'c', this.entity, options.q);
      applyKeysetOrder(query, 'c', order, options.after ? parseKeysetCursor(options.after, order) : null);
      const { data, next_cursor } = cutKeysetPage((await query.limit(options.limit + 1)) as Values[], order, options.limit);
      return { data: await this.complete(ctx, data.map((raw) => this.toRow(raw))), next_cursor };
    }
    const ids = options.ids?.map(Number).filter(Number.isSafeInteger);
    const { query, cut } = keysetPage(ctx.db, {
      table: this.table,
      order,
      after: options.after,
      limit: options.limit,
      filter: ids ? (qb, alias) => (filter(qb, alias), qb.whereIn(`${alias}.id`, ids)) : filter,
      alternatives: searchAlternatives(this.entity, options.q),
      companyId: options.companyId,
    });
    const { data, next_cursor } = cut((await query) as Values[]);
    return { data: await this.complete(ctx, data.map((raw) => this.toRow(raw))), next_cursor };
  }

  /** How many rows match, counting no further than `bound`. */
  async count(ctx: RequestContext, options: Pick<EntityPageOptions, 'q' | 'filters' | 'companyId'> = {}, { bound = 10_000 } = {}): Promise<BoundedCount> {
    this.requireRead(ctx);
    const ids = (options.companyId && !this.entity.rowScope ? ctx.db.queryCompany(options.companyId, this.table, 'c') : this.rows(ctx).query('c')).select('c.id');
    filterOf(ctx, this.entity, options.filters)(ids, 'c');
    applySearch(ids, 'c', this.entity, options.q);
    const knex = ctx.db.unscoped('counts a company-scoped sub-query');
    const row = (await knex.count({ n: '*' }).from(ids.limit(bound + 1).as('m')).first()) as { n: number | string } | undefined;
    const n = Number(row?.n ?? 0);
    return { count: Math.min(n, bound), exact: n <= bound };
  }

  async get(ctx: RequestContext, id: number): Promise<R> {
    this.requireRead(ctx);
    return this.getUnchecked(ctx, id);
  }

  async find(ctx: RequestContext, id: number): Promise<R | undefined> {
    this.requireRead(ctx);
    const raw = Number.isSafeInteger(Number(id)) ? await this.rows(ctx).findById(Number(id)) : undefined;
    return raw ? (await this.complete(ctx, [this.toRow(raw)]))[0] : undefined;
  }

  /** The visible rows among `ids`, by id. */
  async getMany(ctx: RequestContext, ids: number[]): Promise<Map<number, R>> {
    this.requireRead(ctx);
    const wanted = [...new Set(ids.map(Number).filter(Number.isSafeInteger))];
    const rows = wanted.length ? ((await this.rows(ctx).query('c').whereIn('c.id', wanted).select('c.*')) as Values[]) : [];
    const complete = await this.complete(ctx, rows.map((raw) => this.toRow(raw)));
    return new Map(complete.map((row) => [Number(row.id), row]));
  }

  /**
   * Titles (and companies) of the visible records among `ids`, for refs from other records. A title
   * shown beside a record one may read needs no permission on this entity.
   */
  async refTargets(ctx: RequestContext, ids: number[]): Promise<Map<number, RefTarget>> {
    const rows = (await this.rows(ctx).query('c').whereIn('c.id', ids).select('c.*')) as Values[];
    return new Map(rows.map((r) => [Number(r.id), { title: String(r[this.entity.title] ?? ''), company_id: this.companyOf(r) }]));
  }

  /** What a picker offers: the records of a company by title (500 at most; pickers of more want a search). */
  async refOptions(ctx: RequestContext, companyId: number): Promise<RefOption[]> {
    const title = this.entity.title;
    const query = this.entity.rowScope ? this.rows(ctx).query('c') : ctx.db.queryCompany(companyId, this.table, 'c');
    const rows = (await query.select('c.*').orderBy(`c.${title}`).orderBy('c.id').limit(500)) as Values[];
    return rows.map((r) => ({ id: Number(r.id), title: String(r[title] ?? ''), company_id: this.companyOf(r) }));
  }

  /** The company owning a row; null for rows no company owns. */
  protected companyOf(raw: Values): number | null {
    return this.entity.rowScope ? null : Number(raw.company_id);
  }

  /** Refuses a create the entity's scope does not let the caller make. */
  mayCreate(ctx: RequestContext): boolean {
    return ctx.can(this.entity.permissions.write) && (this.entity.rowScope?.mayCreate?.(ctx) ?? true);
  }

  /**
   * The problems `input` would meet on create (or on update of `before`), without writing: for forms
   * that parse first and for import previews. Each message names its field.
   */
  async check(ctx: RequestContext, input: Values, mode: 'create' | 'update', companyId = ctx.companyId): Promise<{ values: Values; errors: Record<string, string> }> {
    const place = placeOf(ctx);
    const { values, errors } = cleanInput(this.entity, input, mode, (f, given) => place.currencyOf(f, { ...given, company_id: companyId }));
    if (mode === 'create' && !this.entity.rowScope && !ctx.companyIds.includes(companyId)) errors.company_id = 'is not one of your companies';
    for (const f of this.entity.fieldList) {
      const id = values[f.key];
      if (!f.target || typeof id !== 'number' || errors[f.key]) continue;
      const found = (await this.registry.resolve(ctx, f.target, [id])).get(id);
      // Another company's record is reported as missing: its existence is not the caller's business.
      if (!found || (found.company_id !== null && !this.entity.rowScope && found.company_id !== companyId)) errors[f.key] = `${this.registry.labelOf(f.target)} ${id} does not exist`;
    }
    return { values, errors };
  }

  async create(ctx: RequestContext, input: EntityInput<E>): Promise<R> {
    ctx.require(this.entity.permissions.write);
    if (!this.mayCreate(ctx)) throw new ForbiddenError(`creating ${this.entity.label.many.toLowerCase()}`);
    const { company_id, ...fields } = input as Values;
    const companyId = company_id === undefined || company_id === null ? ctx.companyId : Number(company_id);
    const { values, errors } = await this.check(ctx, fields, 'create', companyId);
    if (Object.keys(errors).length) throw new ValidationError(errors);
    try {
      return await ctx.db.transaction(async (db) => {
        const tx = ctx.withDb(db);
        // A scope of its own may let records name a company, or none (null: shared by all); its hooks decide.
        const owner: Values = !this.entity.rowScope ? { company_id: companyId } : company_id === undefined ? {} : { company_id: company_id === null ? null : Number(company_id) };
        const extra = (await this.hooks.beforeCreate?.(tx, { ...values, ...owner } as Values & CreateOwner<R>)) ?? {};
        Object.assign(values, this.columnless(extra));
        const stored = await this.toStored({ ...values, ...extra });
        const secret = this.secretKeys(stored);
        const rows = this.rows(ctx, db);
        const kept = this.keptByHooks(values);
        const id = await rows.insert(stored, { companyId: this.entity.rowScope ? undefined : companyId, audit: secret.length === 0 && !kept });
        const raw = (await rows.findById(id)) ?? (await db.unscoped('the row just inserted, which the scope may not show')(this.table).where({ id }).first());
        if (secret.length || kept) await rows.audit({ recordId: id, action: 'create', changes: { ...masked(stored, secret), ...kept }, row: raw });
        const row = this.toRow(raw);
        await this.hooks.afterWrite?.(tx, { action: 'create', row, before: null, values });
        // Completed after the hooks wrote what the row's column-less fields keep elsewhere.
        return (await this.complete(tx, [row]))[0];
      });
    } catch (error) {
      throw await this.conflict(ctx, error, values, companyId, 0);
    }
  }

  async update(ctx: RequestContext, id: number, patch: EntityPatch<E>): Promise<R> {
    ctx.require(this.entity.permissions.write);
    const before = await this.getUnchecked(ctx, id);
    const { values, errors } = await this.check(ctx, patch as Values, 'update', before.company_id as number);
    if (Object.keys(errors).length) throw new ValidationError(errors);
    if (Object.keys(values).length === 0) return before;
    try {
      return await ctx.db.transaction(async (db) => {
        const tx = ctx.withDb(db);
        const extra = (await this.hooks.beforeUpdate?.(tx, values, before)) ?? {};
        Object.assign(values, this.columnless(extra));
        const stored = await this.toStored({ ...values, ...extra });
        const secret = this.secretKeys(stored);
        const rows = this.rows(ctx, db);
        let updated = Object.keys(stored).length ? await rows.update(before.id as number, without(stored, secret), { audit: true }) : ((await rows.findById(before.id as number)) as Values);
        if (secret.length) {
          updated = await rows.update(before.id as number, pick(stored, secret), { audit: false });
          await rows.audit({ recordId: before.id as number, action: 'update', changes: masked(pick(stored, secret), secret), row: updated });
        }
        const kept = this.keptByHooks(values, before);
        if (kept) await rows.audit({ recordId: before.id as number, action: 'update', changes: kept, row: updated });
        const row = this.toRow(updated);
        await this.hooks.afterWrite?.(tx, { action: 'update', row, before, values });
        return (await this.complete(tx, [row]))[0];
      });
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError(this.entity.label.one);
      throw await this.conflict(ctx, error, values, before.company_id as number, before.id as number);
    }
  }

  async remove(ctx: RequestContext, id: number): Promise<void> {
    const permission = this.entity.permissions.delete;
    if (!permission) throw new ForbiddenError(`deleting ${this.entity.label.many.toLowerCase()}`);
    ctx.require(permission);
    const before = await this.getUnchecked(ctx, id);
    await ctx.db.transaction(async (db) => {
      const tx = ctx.withDb(db);
      await this.hooks.beforeRemove?.(tx, before);
      await this.rows(ctx, db).remove(before.id as number);
      await this.hooks.afterWrite?.(tx, { action: 'remove', row: null, before });
    });
  }

  /** A stored row in the API's shape. */
  toRow(raw: Values): R {
    return fromDb(this.entity, raw) as R;
  }

  protected requireRead(ctx: RequestContext): void {
    if (!this.entity.permissions.openReads) ctx.require(this.entity.permissions.read);
  }

  protected async getUnchecked(ctx: RequestContext, id: number): Promise<R> {
    const raw = Number.isSafeInteger(Number(id)) ? await this.rows(ctx).findById(Number(id)) : undefined;
    if (!raw) throw new NotFoundError(this.entity.label.one);
    return (await this.complete(ctx, [this.toRow(raw)]))[0];
  }

  /**
   * Rows as every read returns them (pages, lists, get, find, getMany, the row an update starts from):
   * a subclass puts back here, for all of them at once, the values of fields without a column.
   */
  protected async complete(_ctx: RequestContext, rows: R[]): Promise<R[]> {
    return rows;
  }

  /** Clean values to columns; columns a hook added that are no declared field pass as they are. */
  private async toStored(values: Values): Promise<Values> {
    const stored: Values = {};
    for (const [key, value] of Object.entries(values)) {
      const f = this.entity.field(key);
      if (f?.options.column === false) continue;
      if (f?.kind === 'secret') stored[f.options.storedAs ?? key] = f.options.store && value !== null ? await f.options.store(String(value)) : value;
      else stored[key] = !f ? value : valueToDb(f, value);
    }
    return stored;
  }

  /** The values a hook returned for fields without a column. */
  private columnless(extra: Values): Values {
    return Object.fromEntries(Object.entries(extra).filter(([key]) => this.entity.field(key)?.options.column === false));
  }

  /** Values of fields without a column (hooks keep them), as the audit trail records them; null when none. */
  private keptByHooks(values: Values, before?: Values): Values | null {
    const kept: Values = {};
    for (const f of this.entity.fieldList) {
      if (f.options.column !== false || values[f.key] === undefined) continue;
      if (!before) kept[f.key] = values[f.key];
      else if (JSON.stringify(before[f.key] ?? null) !== JSON.stringify(values[f.key])) kept[f.key] = { from: before[f.key] ?? null, to: values[f.key] };
    }
    return Object.keys(kept).length ? kept : null;
  }

  /** The stored columns holding secrets (under their field's name, or the column it names). */
  private secretKeys(stored: Values): string[] {
    const columns = new Set(this.entity.fieldList.filter((f) => f.kind === 'secret').map((f) => f.options.storedAs ?? f.key));
    return Object.keys(stored).filter((key) => columns.has(key));
  }

  /**
   * A refused unique key, named. The database decided; this only looks up which of the unique fields
   * now holds the value, to say which field to change.
   */
  private async conflict(ctx: RequestContext, error: unknown, values: Values, companyId: number, exceptId: number): Promise<unknown> {
    if (!isDuplicateKey(error)) return error;
    const unique = this.entity.fieldList.filter((f) => f.options.unique);
    for (const f of unique) {
      if (values[f.key] === undefined || values[f.key] === null) continue;
      const holder = await this.rows(ctx).holder(f.key, valueToDb(f, values[f.key]), this.entity.rowScope ? null : companyId, exceptId);
      if (holder) return this.conflictOn(f);
    }
    return unique.length ? this.conflictOn(unique[0]) : new ConflictError(`Another ${this.entity.label.one.toLowerCase()} has these values`);
  }

  private conflictOn(f: ResolvedField): ConflictError {
    const one = this.entity.label.one.toLowerCase();
    return new ConflictError(`Another ${one}${this.entity.rowScope ? '' : ' of this company'} has this ${f.label.toLowerCase()}`, { [f.key]: `is already used by another ${one}` });
  }
}

function collect<T>(errors: Record<string, string>, work: () => T): T | undefined {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    Object.assign(errors, error.fields);
    return undefined;
  }
}

function masked(stored: Values, secret: string[]): Values {
  return Object.fromEntries(Object.entries(stored).map(([key, value]) => [key, secret.includes(key) ? '(changed)' : value]));
}

function without(values: Values, keys: string[]): Values {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !keys.includes(key)));
}

function pick(values: Values, keys: string[]): Values {
  return Object.fromEntries(Object.entries(values).filter(([key]) => keys.includes(key)));
}
