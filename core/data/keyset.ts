import type { Knex } from 'knex';
import { ValidationError } from '../errors';
import { MAX_ID } from '../db/schema-helpers';

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

/**
 * What each position of a cursor holds: `id` a row id, `text` a string, `number` a finite number, `value`
 * either (a sort column's value). A cursor is client input: one that decodes to anything but the shape
 * its list wrote is refused, never handed to the database.
 */
export type CursorPart = 'id' | 'text' | 'number' | 'value';
type PartValue<P extends CursorPart> = P extends 'id' | 'number' ? number : P extends 'text' ? string : string | number;
export type CursorValues<S extends readonly CursorPart[]> = { [K in keyof S]: S[K] extends CursorPart ? PartValue<S[K]> : never };

const MAX_TEXT = 1000;

export function decodeCursor<const S extends readonly CursorPart[]>(cursor: string, shape: S, field = 'after'): CursorValues<S> {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (!Array.isArray(values) || values.length !== shape.length || !shape.every((part, i) => fits(part, values[i]))) {
    throw new ValidationError({ [field]: 'is not a valid cursor' });
  }
  return values as CursorValues<S>;
}

function fits(part: CursorPart, value: unknown): boolean {
  const isText = typeof value === 'string' && value.length <= MAX_TEXT;
  const isNumber = typeof value === 'number' && Number.isFinite(value);
  if (part === 'id') return isNumber && Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_ID;
  if (part === 'text') return isText;
  if (part === 'number') return isNumber;
  return isText || isNumber;
}

/** Applies order, limit+1 and the cursor condition; returns a function that cuts the page from rows. */
export function applyKeyset<T extends Record<string, any>>(query: Knex.QueryBuilder, options: KeysetOptions, sortKeyOf: (row: T) => unknown = (row) => row[options.sortColumn.split('.').pop()!]) {
  const id = options.idColumn ?? 'id';
  const direction = options.direction ?? 'asc';
  const op = direction === 'asc' ? '>' : '<';
  if (options.after) {
    if (options.sortColumn === id) {
      const [, lastId] = decodeCursor(options.after, ['id', 'id']);
      query.where(id, op, lastId);
    } else {
      const [sortValue, lastId] = decodeCursor(options.after, ['value', 'id']);
      // `col >= v AND (col > v OR id > last)`: the leading bound gives MySQL an index range to start from.
      query.where(options.sortColumn, `${op}=`, sortValue).andWhere((w) => {
        w.where(options.sortColumn, op, sortValue).orWhere(id, op, lastId);
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
