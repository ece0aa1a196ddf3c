import { type JsonSchema, idSchema, pageOf } from 'tessera/core';

const permissionName: JsonSchema = { type: 'string', pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$' };
const permissions: JsonSchema = {
  type: 'array',
  uniqueItems: true,
  maxItems: 1000,
  items: permissionName,
  description: 'Permission names; you can only grant permissions you hold yourself',
};
const name: JsonSchema = { type: 'string', minLength: 1, maxLength: 100 };
const description: JsonSchema = { type: 'string', maxLength: 255 };

export const roleSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'company_id', 'name', 'description', 'is_super_admin', 'permissions'],
  properties: {
    id: { type: 'integer' },
    company_id: { type: ['integer', 'null'], description: 'Null for a role shared by every company' },
    name: { type: 'string' },
    description: { type: 'string' },
    is_super_admin: { type: 'boolean' },
    permissions: { type: 'array', items: { type: 'string' } },
  },
};

export const rolePage: JsonSchema = pageOf(roleSchema);

// No `is_super_admin` here, on purpose: the super admin role exists once and cannot be made through the API.
export const roleCreateBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'permissions'],
  properties: {
    name,
    description,
    permissions,
    company_id: { ...idSchema, type: ['integer', 'null'], description: 'One of your companies (default: your current one); null, for super admins, shares the role with every company' },
  },
};

export const rolePatchBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { name, description, permissions: { ...permissions, description: 'The complete set; permissions you do not hold that the role already has are kept' } },
};

export const permissionGroupsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['data'],
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['module', 'permissions'],
        properties: {
          module: { type: 'string' },
          permissions: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'description', 'implies', 'grantable'],
              properties: {
                name: { type: 'string' },
                description: { type: 'string' },
                implies: { type: 'array', items: { type: 'string' } },
                grantable: { type: 'boolean', description: 'Whether you may put it into a role' },
              },
            },
          },
        },
      },
    },
  },
};
