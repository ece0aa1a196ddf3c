import { type JsonSchema, idSchema } from 'tessera/core';
import { criteriaProperties } from '../customers/customer-schemas';

const ids: JsonSchema = { type: 'array', items: idSchema, maxItems: 10000 };

const searchSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  description: "The customer list's criteria; every customer matching them now is added to the group.",
  properties: criteriaProperties,
};

export const groupCreateBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'type'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    type: { type: 'string', enum: ['shop', 'customer'], description: 'shop: members are every customer of `shop_ids`, now and later. customer: an explicit list.' },
    description: { type: ['string', 'null'], maxLength: 255 },
    shop_ids: { ...ids, description: 'For type shop.' },
    customer_ids: { ...ids, description: 'For type customer: customers to add.' },
    search: searchSchema,
  },
};

export const groupPatchBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    description: { type: ['string', 'null'], maxLength: 255 },
    shop_ids: { ...ids, description: 'For type shop: replaces the shops.' },
    customer_ids: { ...ids, description: 'For type customer: customers to add.' },
    remove_customer_ids: { ...ids, description: 'For type customer: customers to take out.' },
    search: searchSchema,
  },
};

export const groupSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    company_id: { type: 'integer' },
    name: { type: 'string' },
    type: { type: 'string', enum: ['shop', 'customer'] },
    description: { type: 'string' },
    shop_ids: { type: 'array', items: { type: 'integer' } },
    member_count: { type: 'integer' },
    created_at: { type: ['string', 'null'] },
    updated_at: { type: ['string', 'null'] },
  },
};

export const memberSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    code: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    phone: { type: ['string', 'null'] },
    email: { type: ['string', 'null'] },
    shop_id: { type: 'integer' },
  },
};

export const membersQuery: JsonSchema = {
  type: 'object',
  properties: {
    after: { type: 'string' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
};
