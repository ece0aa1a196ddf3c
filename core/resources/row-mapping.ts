import { iso } from '../db/schema-helpers';
import type { AnyEntity, ResolvedField } from './define-entity';

/**
 * Stored rows to API rows and back. The databases differ in what they hand back: SQLite gives 0/1 for
 * booleans and epoch milliseconds for timestamps, MySQL gives Dates and (for big integers) strings;
 * JSON columns come back as text from both. Rows leave here in one shape: the API's.
 */
export function fromDb(entity: AnyEntity, raw: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = { id: Number(raw.id) };
  if (!entity.rowScope) row.company_id = Number(raw.company_id);
  for (const stamp of entity.shownStamps) {
    const value = raw[stamp];
    row[stamp] = stamp === 'created_at' || stamp === 'updated_at' ? iso(value) : value == null ? null : Number(value);
  }
  for (const f of entity.fieldList) {
    if (f.kind !== 'secret') row[f.key] = valueFromDb(f, raw[f.key]);
  }
  return row;
}

export function valueFromDb(f: ResolvedField, value: unknown): unknown {
  if (f.kind === 'boolean') return Boolean(Number(value ?? (f.options.default ? 1 : 0)));
  if (f.kind === 'list') {
    const list = parseJson(value, []);
    return f.options.ids && Array.isArray(list) ? list.map(Number) : list;
  }
  if (value === null || value === undefined) return null;
  switch (f.kind) {
    case 'integer':
    case 'money':
    case 'rate':
    case 'ref':
      return Number(value);
    case 'date':
      return dayOf(value);
    case 'datetime':
      return iso(value);
    case 'json':
      return parseJson(value, null);
    default:
      return String(value);
  }
}

/** A clean value (see field-rules) to what the column stores. */
export function valueToDb(f: ResolvedField, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (f.kind === 'json' || f.kind === 'list') return JSON.stringify(value);
  if (f.kind === 'datetime') return new Date(String(value));
  return value;
}

/** DATE columns come back as 'YYYY-MM-DD' (MySQL with dateStrings, SQLite as stored). */
export function dayOf(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}

function parseJson(value: unknown, fallback: unknown): unknown {
  if (value === null || value === undefined || value === '') return fallback;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return fallback;
  }
}
