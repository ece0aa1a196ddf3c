import type { JsonSchema } from '../json-schema';
import { MAX_ID } from '../db/schema-helpers';

/**
 * Ids as the API accepts them: a positive integer the database can hold (MAX_ID). In a path or a
 * query string an id is written in decimal digits only (see validation.ts).
 */

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

// Reading an id from text is the data layer's too (the resource layer's id-list fields): it lives there.
export { parseId } from '../db/ids';
