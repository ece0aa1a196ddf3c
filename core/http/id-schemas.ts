import type { JsonSchema } from './json-schema';

/**
 * Ids as the API accepts them: a positive integer the database can hold. Ids are `increments()`
 * columns, INT UNSIGNED on MySQL/MariaDB, so anything larger can name no row and would make a write fail.
 * In a path or a query string an id is written in decimal digits only (see validation.ts).
 */
export const MAX_ID = 4_294_967_295;

export const idSchema: JsonSchema = { type: 'integer', minimum: 1, maximum: MAX_ID };

/** `{id}` in a route path. */
export const idParams: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { ...idSchema, description: 'Record id' } },
};

/** A list of distinct ids in a JSON body. */
export function idListSchema(maxItems = 500): JsonSchema {
  return { type: 'array', uniqueItems: true, maxItems, items: idSchema };
}

const DIGITS = /^\d{1,10}$/;

/** An id from text (a form field, a comma-separated filter): decimal digits in range, or null. */
export function parseId(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= MAX_ID ? value : null;
  if (typeof value !== 'string' || !DIGITS.test(value)) return null;
  const id = Number(value);
  return id >= 1 && id <= MAX_ID ? id : null;
}
