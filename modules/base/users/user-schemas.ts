import { type JsonSchema, cursorQuery, idList, pageOf, searchQuery, timestamp } from 'tessera/core';

const name: JsonSchema = { type: 'string', minLength: 1, maxLength: 191 };
const password: JsonSchema = { type: 'string', minLength: 8, maxLength: 200, writeOnly: true };

export const userSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'email', 'name', 'is_active', 'company_ids', 'role_ids', 'last_login_at'],
  properties: {
    id: { type: 'integer' },
    email: { type: 'string' },
    name: { type: 'string' },
    is_active: { type: 'boolean' },
    company_ids: { type: 'array', items: { type: 'integer' } },
    role_ids: { type: 'array', items: { type: 'integer' } },
    last_login_at: timestamp,
  },
};

export const userPage: JsonSchema = pageOf(userSchema);

export const userListQuery: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { ...searchQuery, ...cursorQuery },
};

export const userCreateBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'name', 'password', 'company_ids'],
  properties: {
    email: { type: 'string', format: 'email', maxLength: 191 },
    name,
    password,
    role_ids: { ...idList, default: [], description: 'Roles to give; you must hold every permission they carry' },
    company_ids: { ...idList, minItems: 1, description: 'Companies among yours the user may work in' },
  },
};

export const userPatchBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 191, description: 'The login; unique' },
    name,
    is_active: { type: 'boolean' },
    password,
    role_ids: { ...idList, description: 'The complete set of roles; you cannot change your own' },
    company_ids: { ...idList, minItems: 1, description: 'The user\'s companies among yours; others are kept' },
  },
};
