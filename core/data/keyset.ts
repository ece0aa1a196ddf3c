import type { Knex } from 'knex';
import { ValidationError } from '../http/errors';

/**
 * Keyset pagination: the cursor carries the last row's sort value and id, and the next page starts
 * strictly after it, so pages stay fast and stable however deep the user goes.
 */
export interface KeysetOptions {
  /** Column to sort by (qualified if joined); `id` is the tie-breaker. */
  sortColumn: string;
  idColumn?: string;
  direction?: 'asc' | 'desc';
  limit: number;
  after?: string | null;
}

export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values)) return values;
  } catch {
    /* fall through */
  }
  throw new ValidationError({ [field]: 'is not a valid cursor' });
}

/** Applies order, limit+1 and the cursor condition; returns a function that cuts the page from rows. */
export function applyKeyset<T extends Record<string, any>>(query: Knex.QueryBuilder, options: KeysetOptions, sortKeyOf: (row: T) => unknown = (row) => row[options.sortColumn.split('.').pop()!]) {
  const id = options.idColumn ?? 'id';
  const direction = options.direction ?? 'asc';
  const op = direction === 'asc' ? '>' : '<';
  if (options.after) {
    const [sortValue, lastId] = decodeCursor(options.after);
    if (options.sortColumn === id) query.where(id, op, lastId as any);
    else {
      // `col >= v AND (col > v OR id > last)`: the leading bound gives MySQL an index range to start from.
      query.where(options.sortColumn, `${op}=`, sortValue as any).andWhere((w) => {
        w.where(options.sortColumn, op, sortValue as any).orWhere(id, op, lastId as any);
      });
    }
  }
  if (options.sortColumn !== id) query.orderBy(options.sortColumn, direction);
  query.orderBy(id, direction).limit(options.limit + 1);
  return (rows: T[]): { data: T[]; next_cursor: string | null } => {
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    const idKey = id.split('.').pop()!;
    return {
      data: page,
      next_cursor: rows.length > options.limit && last ? encodeCursor([sortKeyOf(last), last[idKey]]) : null,
    };
  };
}
