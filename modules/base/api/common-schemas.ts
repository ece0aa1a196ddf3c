import type { JsonSchema } from '../../../core/http/json-schema';

/** JSON Schema pieces the base API shares; snake_case throughout, like the rest of the API. */

export const idParams: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, description: 'Record id' } },
};

export const cursorQuery: JsonSchema = {
  after: { type: 'string', maxLength: 200, description: 'The `next_cursor` of the previous page' },
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50, description: 'Page size' },
};

export const searchQuery: JsonSchema = {
  q: { type: 'string', maxLength: 100, description: 'Prefix to search for' },
};

export const timestamp: JsonSchema = { type: ['string', 'null'], format: 'date-time' };

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

export const idList: JsonSchema = { type: 'array', uniqueItems: true, maxItems: 500, items: { type: 'integer', minimum: 1 } };

export function iso(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}

/** Route params and query strings arrive as text; ajv may coerce them, this makes sure. */
export function intParam(value: unknown): number {
  return Number(value);
}
