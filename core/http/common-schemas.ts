import type { JsonSchema } from '../json-schema';
import { idListSchema } from './id-schemas';

export { idParams, idSchema } from './id-schemas';

/**
 * JSON Schema pieces every module's API shares; snake_case throughout. Nullable values are type
 * arrays (`['string', 'null']`), JSON Schema's own form.
 */

export const cursorQuery: Record<string, JsonSchema> = {
  after: { type: 'string', maxLength: 200, description: 'The `next_cursor` of the previous page' },
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50, description: 'Page size' },
};

export const searchQuery: Record<string, JsonSchema> = {
  q: { type: 'string', maxLength: 100, description: 'Prefix to search for' },
};

export const timestamp: JsonSchema = { type: ['string', 'null'], format: 'date-time' };

/** A schema that also allows null. */
export function orNull(schema: JsonSchema): JsonSchema {
  const type = schema.type;
  if (schema.enum) return { ...schema, type: [type, 'null'], enum: [...(schema.enum as unknown[]), null] };
  return { ...schema, type: Array.isArray(type) ? [...new Set([...type, 'null'])] : [type, 'null'] };
}

/** A list response: `{data, next_cursor}`; `next_cursor` is null on the last page. */
export function pageOf(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['data', 'next_cursor'],
    properties: {
      data: { type: 'array', items: item },
      next_cursor: { type: ['string', 'null'] },
    },
  };
}

export const idList: JsonSchema = idListSchema(500);

/** Route params and query strings arrive as text; ajv may coerce them, this makes sure. */
export function intParam(value: unknown): number {
  return Number(value);
}
