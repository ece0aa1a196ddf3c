import type { Knex } from 'knex';
import type { RequestContext } from '../security/request-context';
import type { ScopedDb } from '../data/scoped-db';
import { NotFoundError } from '../errors';

type Row = Record<string, unknown>;

/**
 * Who sees and writes the rows of an entity whose rows no single company owns (the companies
 * themselves, records shared by all). The scope says it once; the service, API and pages follow it.
 */
export interface RowScope {
  /** Limits a query on the entity's table (under `alias`) to the rows the caller may see. */
  visible(ctx: RequestContext, qb: Knex.QueryBuilder, alias: string): void;
  /** Whether the caller may create a record (besides the write permission); default yes. */
  mayCreate?(ctx: RequestContext): boolean;
  /** The company a row's audit entries go under; the caller's current company by default. */
  auditCompany?(ctx: RequestContext, row: Row): number | null;
}

/**
 * `company` (the default): every row carries `company_id`, reads are the caller's companies, unique
 * keys are per company. `none`: rows belong to no company, whoever may read sees all of them, unique
 * keys are global. A `RowScope`: like `none`, with visibility and creation decided by its hooks.
 */
export type EntityScope = 'company' | 'none' | RowScope;

/** The stamp columns besides `id` and `company_id`. */
export type StampColumn = 'created_at' | 'updated_at' | 'created_by' | 'updated_by';
export const ALL_STAMPS: readonly StampColumn[] = ['created_at', 'updated_at', 'created_by', 'updated_by'];

export const SEES_ALL: RowScope = { visible: () => undefined };

/** The rows an entity's service reads and writes, with the same calls whatever the scope. */
export interface RowStore {
  /** The visible rows, under `alias`. */
  query(alias?: string): Knex.QueryBuilder;
  findById(id: number): Promise<Row | undefined>;
  /** Stamps and audits as `audit` says; `companyId` only for company-owned rows. */
  insert(values: Row, options: { companyId?: number; audit: boolean }): Promise<number>;
  update(id: number, values: Row, options: { audit: boolean }): Promise<Row>;
  remove(id: number): Promise<void>;
  audit(entry: { recordId: number; action: string; changes: Row; row: Row }): Promise<void>;
  /** A row holding `value` in `column` besides `exceptId`, among the rows a unique key compares with. */
  holder(column: string, value: unknown, companyId: number | null, exceptId: number): Promise<unknown>;
}

/** Company-owned rows: everything goes through the scoped database. */
export function companyStore(db: ScopedDb, table: string): RowStore {
  return {
    query: (alias) => db.query(table, alias),
    findById: (id) => db.findById<Row>(table, id),
    insert: (values, { companyId, audit }) => db.insert(table, { ...values, company_id: companyId }, { audit }),
    update: (id, values, { audit }) => db.update<Row>(table, id, values, { audit }),
    remove: (id) => db.remove(table, id),
    audit: ({ recordId, action, changes, row }) => db.audit({ table, recordId, action, changes, companyId: Number(row.company_id) }),
    holder: (column, value, companyId, exceptId) => db.queryCompany(Number(companyId), table).where(column, value as Knex.Value).whereNot('id', exceptId).first('id'),
  };
}

/**
 * Rows no company owns: the raw connection of the current transaction, limited to what the scope
 * lets the caller see; stamps and audit entries written here as the scoped database would.
 */
export function visibleStore(ctx: RequestContext, table: string, scope: RowScope, stamps: readonly StampColumn[]): RowStore {
  const knex = () => ctx.db.unscoped('rows no company owns; the entity scope limits what is seen');
  const query = (alias?: string) => {
    const qb = alias ? knex()(`${table} as ${alias}`) : knex()(table);
    scope.visible(ctx, qb, alias ?? table);
    return qb;
  };
  const stamp = (creating: boolean): Row => {
    const now = new Date();
    const who = ctx.principal.userId;
    const all: Row = creating ? { created_at: now, updated_at: now, created_by: who, updated_by: who } : { updated_at: now, updated_by: who };
    return Object.fromEntries(Object.entries(all).filter(([key]) => stamps.includes(key as StampColumn)));
  };
  const findById = async (id: number) => (await query().where(`${table}.id`, id).first()) as Row | undefined;
  // A write reads the row it changes under a row lock, as the scoped database does (SQLite locks the whole file).
  const lockById = async (id: number) => {
    const qb = query().where(`${table}.id`, id);
    if (ctx.db.isInTransaction && ctx.db.client !== 'better-sqlite3') qb.forUpdate();
    return (await qb.first()) as Row | undefined;
  };
  const audit: RowStore['audit'] = ({ recordId, action, changes, row }) => {
    const companyId = scope.auditCompany ? scope.auditCompany(ctx, row) : ctx.companyId;
    return ctx.db.audit({ table, recordId, action, changes, companyId: companyId ?? undefined });
  };
  return {
    query,
    findById,
    async insert(values, options) {
      const [inserted] = await knex()(table).insert({ ...values, ...stamp(true) });
      const id = Number(typeof inserted === 'object' && inserted !== null ? (inserted as Row).id : inserted);
      if (options.audit) await audit({ recordId: id, action: 'create', changes: values, row: { ...values, id } });
      return id;
    },
    async update(id, values, options) {
      const before = await lockById(id);
      if (!before) throw new NotFoundError();
      const changes: Row = {};
      for (const [key, value] of Object.entries(values)) if (String(before[key] ?? '') !== String(value ?? '')) changes[key] = { from: before[key] ?? null, to: value ?? null };
      if (Object.keys(changes).length) {
        await knex()(table).where({ id }).update({ ...values, ...stamp(false) });
        if (options.audit) await audit({ recordId: id, action: 'update', changes, row: before });
      }
      return (await knex()(table).where({ id }).first()) as Row;
    },
    async remove(id) {
      const before = await lockById(id);
      if (!before) throw new NotFoundError();
      await knex()(table).where({ id }).delete();
      const changes = Object.fromEntries(Object.entries(before).filter(([key]) => !ALL_STAMPS.includes(key as StampColumn)));
      await audit({ recordId: id, action: 'delete', changes, row: before });
    },
    audit,
    holder: (column, value, _companyId, exceptId) => knex()(table).where(column, value as Knex.Value).whereNot('id', exceptId).first('id'),
  };
}
