import type { JsonSchema } from '../../../core/http/json-schema';
import { cursorQuery, pageOf, searchQuery, timestamp } from '../api/common-schemas';

const code: JsonSchema = { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_-]+$', description: 'Unique within the company; stored upper-case' };
const name: JsonSchema = { type: 'string', minLength: 1, maxLength: 191 };
const address: JsonSchema = { type: ['string', 'null'], maxLength: 500 };
const phone: JsonSchema = { type: ['string', 'null'], maxLength: 40 };

export const shopSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'company_id', 'code', 'name', 'address', 'phone', 'is_active', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'integer' },
    company_id: { type: 'integer' },
    code: { type: 'string' },
    name: { type: 'string' },
    address: { type: ['string', 'null'] },
    phone: { type: ['string', 'null'] },
    is_active: { type: 'boolean' },
    created_at: timestamp,
    updated_at: timestamp,
  },
};

export const shopListQuery: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...searchQuery,
    active: { type: 'boolean', description: 'Only active (true) or inactive (false) shops' },
    ...cursorQuery,
  },
};

export const shopPage: JsonSchema = pageOf(shopSchema);

export const shopCreateBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name'],
  properties: {
    code,
    name,
    address,
    phone,
    is_active: { type: 'boolean', default: true },
    company_id: { type: 'integer', minimum: 1, description: 'One of your companies; your current company when left out' },
  },
};

export const shopPatchBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { code, name, address, phone, is_active: { type: 'boolean' } },
};
