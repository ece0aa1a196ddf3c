import { type JsonSchema, pageOf } from 'tessera/core';

const currency: JsonSchema = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code; amounts of the company are in its minor units' };
const timezone: JsonSchema = { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone; business dates are calendar days in it' };
const name: JsonSchema = { type: 'string', minLength: 1, maxLength: 191 };

export const companySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'code', 'name', 'currency', 'timezone'],
  properties: {
    id: { type: 'integer' },
    code: { type: 'string' },
    name: { type: 'string' },
    currency: { type: 'string' },
    timezone: { type: 'string' },
  },
};

export const companyPage: JsonSchema = pageOf(companySchema);

export const companyCreateBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name'],
  properties: {
    code: { type: 'string', pattern: '^[A-Za-z0-9_-]{2,32}$', description: 'Unique across the installation' },
    name,
    currency,
    timezone,
  },
};

export const companyPatchBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name, currency, timezone },
};
