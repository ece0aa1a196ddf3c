import { type JsonSchema, idSchema, entitySchemas } from 'tessera/core';
import { customerEntity, plainFields, plainFilters } from './customer-entity';

/**
 * JSON schemas of the customer API: ajv checks shapes and types here; the service checks meaning
 * (formats, shops, uniqueness) and names the field at fault either way.
 */
/** A custom field holds text, a number, a yes/no or nothing (CustomValues); said so, generated clients can set them. */
const customValues: JsonSchema = { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } };
const nullableString = (maxLength: number, description?: string): JsonSchema => ({ type: ['string', 'null'], maxLength, ...(description ? { description } : {}) });

/** The plain fields' schemas, as the resource layer derives them from the declaration. */
const declared = entitySchemas(customerEntity);
const plain = (schema: JsonSchema, keys: readonly string[]): Record<string, JsonSchema> =>
  Object.fromEntries(keys.map((key) => [key, (schema.properties as Record<string, JsonSchema>)[key]]));
/** A filter is capped at its field's length, as the column is. */
const filters = Object.fromEntries(
  plainFilters.map((f) => [f.filter!.param, { ...plain(declared.listQuery, [f.filter!.param])[f.filter!.param], ...(f.options.maxLength ? { maxLength: f.options.maxLength } : {}) }]),
);

export { idParams } from 'tessera/core';

const loginInput: JsonSchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  description: 'Online account; needs crm.customer.login_details. `null` removes it. The password is stored hashed and never returned.',
  properties: { username: { type: 'string', maxLength: 191 }, password: { type: ['string', 'null'], maxLength: 200 } },
};

const inputProperties: Record<string, JsonSchema> = {
  code: nullableString(64, "Unique per company; generated from the company's code format when left out."),
  first_name: nullableString(100),
  last_name: { type: 'string', maxLength: 100 },
  phone: nullableString(40, "Stored in E.164 (+33612345601); written without + and a country code, it is read as a number of the company's country (crm setting phone_country). A number that cannot exist is refused (422 naming phone). A phone belongs to one customer of the company; a family member may share its main customer's."),
  email: nullableString(191),
  birthdate: { type: ['string', 'null'], description: 'YYYY-MM-DD' },
  shop_id: idSchema,
  ...plain(declared.patch, plainFields.map((f) => f.key)),
  parent_id: { ...idSchema, type: ['integer', 'null'], description: 'Main customer of a family sub-account.' },
  tags: { type: 'array', items: { type: 'string', maxLength: 40 }, maxItems: 20 },
  custom_fields: { ...customValues, description: "Values of the company's custom fields, by key." },
  login: loginInput,
};

export const customerCreateBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['last_name', 'shop_id'],
  properties: inputProperties,
};

export const customerPatchBody: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: inputProperties,
};

export const criteriaProperties: Record<string, JsonSchema> = {
  q: { type: 'string', maxLength: 100, description: 'Prefix of the name (either order), code, phone (national or international form: 06 12, 612, +33 6 12) or e-mail.' },
  shop_id: { type: 'string', description: 'Shop id, or several separated by commas.' },
  group_id: idSchema,
  tag: { type: 'string', maxLength: 40 },
  ...filters,
  created_from: { type: 'string', format: 'date' },
  created_to: { type: 'string', format: 'date' },
  birth_month: { type: 'integer', minimum: 1, maximum: 12 },
  parent_id: { ...idSchema, description: 'Family members of this main customer.' },
};

export const customerListQuery: JsonSchema = {
  type: 'object',
  properties: {
    ...criteriaProperties,
    sort: { type: 'string', enum: ['name', '-name', 'code', '-code', 'created', '-created'], default: 'name' },
    after: { type: 'string', description: 'next_cursor of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
};

export const customerExportQuery: JsonSchema = {
  type: 'object',
  properties: { ...criteriaProperties, sort: customerListQuery.properties && (customerListQuery.properties as any).sort },
};

export const duplicatePhonesQuery: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    after: { type: 'string', pattern: '^[0-9]{1,40}$', description: 'next_cursor of the previous page' },
    limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
  },
};

export const duplicatePhonesSchema: JsonSchema = {
  type: 'object',
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          phone: { type: 'string', description: 'The phone, digits only' },
          customers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'integer' },
                code: { type: 'string' },
                first_name: { type: 'string' },
                last_name: { type: 'string' },
                phone: { type: ['string', 'null'] },
                email: { type: ['string', 'null'] },
                parent_id: { type: ['integer', 'null'] },
                created_at: { type: ['string', 'null'] },
              },
            },
          },
        },
      },
    },
    next_cursor: { type: ['string', 'null'] },
  },
};

const loginOutput: JsonSchema = {
  type: ['object', 'null'],
  description: 'Only for callers holding crm.customer.login_details; absent otherwise.',
  properties: { username: { type: 'string' }, has_password: { type: 'boolean' }, last_login_at: { type: ['string', 'null'] } },
};

export const customerSchema: JsonSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    company_id: { type: 'integer' },
    code: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    phone: { type: ['string', 'null'] },
    email: { type: ['string', 'null'] },
    birthdate: { type: ['string', 'null'] },
    shop_id: { type: 'integer' },
    ...plain(declared.row, plainFields.map((f) => f.key)),
    parent_id: { type: ['integer', 'null'] },
    tags: { type: 'array', items: { type: 'string' } },
    custom_fields: customValues,
    created_at: { type: ['string', 'null'] },
    updated_at: { type: ['string', 'null'] },
    created_by: { type: ['integer', 'null'] },
    updated_by: { type: ['integer', 'null'] },
    login: loginOutput,
  },
};

export const customerPageSchema: JsonSchema = {
  type: 'object',
  properties: { data: { type: 'array', items: customerSchema }, next_cursor: { type: ['string', 'null'] } },
};
