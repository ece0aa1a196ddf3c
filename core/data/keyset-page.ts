import type { Knex } from 'knex';
import type { ScopedDb } from './scoped-db';
import { encodeCursor } from './keyset';
import { ValidationError } from '../errors';

/**
 * Keyset pages that stay index-ordered for a user who sees several companies, and for a search over
 * several columns. Every business index leads with company_id, so a page ordered by name is one index
 * range within a company; over `company_id IN (a, b)` both databases sort every row of those
 * companies to cut it (seconds at a million rows). Each company (and each searched column) is its own
 * ordered branch, cut to the page size; the few ids of the branches are merged, joined back and cut
 * once more. A single branch needs none of this and is queried directly.
 */

/** How the sort column compares, which decides what a cursor may carry. */
export type KeysetKind = 'text' | 'number' | 'instant';

export interface KeysetOrder {
  /** Unqualified column; `id` for the primary key alone (its cursor is `[id]`). */
  column: string;
  direction: 'asc' | 'desc';
  kind: KeysetKind;
  /** Rows may hold NULL there (both databases put NULLs first ascending, last descending). */
  nullable?: boolean;
}

/** A condition added to a query, on the table under `alias`. */
export type BranchFilter = (qb: Knex.QueryBuilder, alias: string) => void;

export interface KeysetPlan {
  table: string;
  order: KeysetOrder;
  after?: string | null;
  limit: number;
  /** Conditions every branch shares. */
  filter?: BranchFilter;
  /**
   * Alternatives OR-ed together (a prefix search over several columns), each its own index range.
   * Left out: one alternative, no condition. Empty: nothing matches.
   */
  alternatives?: BranchFilter[];
  /** One company of the caller's scope instead of all of them. */
  companyId?: number;
  /** Branch even a single company and alternative (a branch that forces an index reads ids only). */
  alwaysBranch?: boolean;
  /** Alias of the table in the outer query and in the branches. */
  aliases?: { outer?: string; branch?: string };
}

export interface KeysetCut<T> {
  data: T[];
  next_cursor: string | null;
}

/** Past this many companies in a user's scope, one query over all of them beats a branch per company. */
export const MAX_COMPANY_BRANCHES = 20;

/** The query for one page (rows of `table`, `limit + 1` at most) and how to cut the page from its rows. */
export function keysetPage(db: ScopedDb, plan: KeysetPlan): { query: Knex.QueryBuilder; cut<T extends Record<string, any>>(rows: T[]): KeysetCut<T> } {
  const { table, order, limit } = plan;
  const outer = plan.aliases?.outer ?? 'c';
  const inner = plan.aliases?.branch ?? 'b';
  const cursor = plan.after ? parseKeysetCursor(plan.after, order) : null;
  const alternatives = plan.alternatives ?? [() => undefined];
  const companies = companiesToBranch(db, plan.companyId);
  const scoped = (alias: string, companyId: number | null) =>
    companyId === null ? (plan.companyId ? db.queryCompany(plan.companyId, table, alias) : db.query(table, alias)) : db.queryCompany(companyId, table, alias);

  let query: Knex.QueryBuilder;
  if (alternatives.length === 0) {
    query = db.query(table, outer).whereRaw('1 = 0');
  } else if (alternatives.length === 1 && companies.length === 1 && !plan.alwaysBranch) {
    query = scoped(outer, companies[0]);
    plan.filter?.(query, outer);
    alternatives[0](query, outer);
  } else {
    const branches = alternatives.flatMap((alternative, i) =>
      companies.map((companyId, j) => {
        const branch = scoped(inner, companyId).select(`${inner}.id`);
        alternative(branch, inner);
        plan.filter?.(branch, inner);
        applyKeysetOrder(branch, inner, order, cursor);
        branch.limit(limit + 1);
        // MySQL refuses ORDER BY/LIMIT in a bare UNION member; a derived table keeps both.
        return db.unscoped('wraps a company-scoped branch').select('id').from(branch.as(`${inner}${i}_${j}`));
      }),
    );
    const [first, ...rest] = branches;
    const merged = rest.length ? first.union(rest) : first;
    query = db.query(table, outer).join(merged.as('u'), 'u.id', `${outer}.id`);
  }
  // The branches applied the cursor already; applying it again is harmless and keeps one path.
  applyKeysetOrder(query, outer, order, cursor);
  query.select(`${outer}.*`).limit(limit + 1);
  return { query, cut: (rows) => cutKeysetPage(rows, order, limit) };
}

/**
 * The companies a page is cut from one by one; `null` is a single branch whose company filter is
 * already in place (one company in scope, one company asked for, or too many to branch).
 */
export function companiesToBranch(db: ScopedDb, companyId?: number): Array<number | null> {
  const ids = db.principal.companyIds;
  if (companyId || ids.length <= 1 || ids.length > MAX_COMPANY_BRANCHES) return [null];
  return [...ids];
}

export interface KeysetCursor {
  value: unknown;
  id: number;
}

/**
 * Decodes `after` and checks it is what this sort wrote: `[id]`, or `[value, id]` with a value of the
 * sort's kind. A cursor is client input; anything else is a 422 naming `after`, never handed to the
 * database.
 */
export function parseKeysetCursor(after: string, order: KeysetOrder, field = 'after'): KeysetCursor {
  const refuse = () => new ValidationError({ [field]: 'is not a valid cursor' });
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(String(after), 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(values)) throw refuse();
  if (order.column === 'id') {
    if (values.length !== 1 || !isId(values[0])) throw refuse();
    return { value: values[0], id: values[0] };
  }
  const [value, id] = values;
  if (values.length !== 2 || !isId(id) || !fitsKind(value, order)) throw refuse();
  return { value: order.kind === 'instant' && value !== null ? new Date(value as number) : value, id };
}

function isId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

function fitsKind(value: unknown, order: KeysetOrder): boolean {
  if (value === null) return Boolean(order.nullable);
  if (order.kind === 'text') return typeof value === 'string' && value.length <= 1000;
  return typeof value === 'number' && Number.isFinite(value);
}

/**
 * Orders by the sort column then id, starting strictly after the cursor. For a column without NULLs:
 * `col >= v AND (col > v OR id > last)`, whose leading bound lets the index seek to the page.
 */
export function applyKeysetOrder(qb: Knex.QueryBuilder, alias: string, order: KeysetOrder, cursor: KeysetCursor | null): void {
  const op = order.direction === 'asc' ? '>' : '<';
  const id = `${alias}.id`;
  const col = `${alias}.${order.column}`;
  if (cursor) {
    if (order.column === 'id') qb.where(id, op, cursor.id);
    else if (!order.nullable) {
      const v = cursor.value as Knex.Value;
      qb.where(col, `${op}=`, v).andWhere((w) => w.where(col, op, v).orWhere(id, op, cursor.id));
    } else applyNullableCursor(qb, col, id, order.direction, cursor);
  }
  if (order.column !== 'id') qb.orderBy(col, order.direction);
  qb.orderBy(id, order.direction);
}

/** NULLs sort first ascending and last descending on both databases; the cursor walks past them in that order. */
function applyNullableCursor(qb: Knex.QueryBuilder, col: string, id: string, direction: 'asc' | 'desc', cursor: KeysetCursor): void {
  const op = direction === 'asc' ? '>' : '<';
  if (cursor.value === null) {
    qb.where((w) => {
      w.where((n) => n.whereNull(col).andWhere(id, op, cursor.id));
      if (direction === 'asc') w.orWhereNotNull(col);
    });
    return;
  }
  const v = cursor.value as Knex.Value;
  qb.where((w) => {
    w.where(col, op, v).orWhere((e) => e.where(col, v).andWhere(id, op, cursor.id));
    if (direction === 'desc') w.orWhereNull(col);
  });
}

/** Cuts the extra row off and makes the next cursor from the last row's sort value. */
export function cutKeysetPage<T extends Record<string, any>>(rows: T[], order: KeysetOrder, limit: number): KeysetCut<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  if (rows.length <= limit || !last) return { data, next_cursor: null };
  const id = Number(last.id);
  return { data, next_cursor: encodeCursor(order.column === 'id' ? [id] : [cursorValue(last[order.column], order), id]) };
}

function cursorValue(value: unknown, order: KeysetOrder): unknown {
  if (value === null || value === undefined) return null;
  if (order.kind === 'text') return String(value);
  if (order.kind === 'instant') return instantMs(value);
  return Number(value);
}

/** Timestamps come back as Date (MySQL) or epoch milliseconds (SQLite); the cursor carries milliseconds. */
function instantMs(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  const text = String(value);
  return /^\d+$/.test(text) ? Number(text) : Date.parse(text.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? '' : 'Z'));
}
