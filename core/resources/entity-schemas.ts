import type { JsonSchema } from '../json-schema';
import { cursorQuery, orNull, pageOf, searchQuery, timestamp } from '../http/common-schemas';
import { idListSchema } from '../http/id-schemas';
import type { AnyEntity, ResolvedField } from './define-entity';

/**
 * The JSON schemas of an entity's API, derived from its fields: what a row looks like, what create
 * and patch bodies accept, what a list takes. ajv validates requests with them and the OpenAPI
 * document shows them, so the two cannot drift apart.
 */
export interface EntitySchemas {
  row: JsonSchema;
  page: JsonSchema;
  create: JsonSchema;
  patch: JsonSchema;
  listQuery: JsonSchema;
}

export function entitySchemas(entity: AnyEntity): EntitySchemas {
  const row = rowSchema(entity);
  const writable = entity.fieldList.filter((f) => f.writable);
  // Defaults only on create: ajv fills them in, which on a patch would overwrite what is stored.
  const inputs = (withDefaults: boolean) => Object.fromEntries(writable.map((f) => [f.key, inputSchema(f, withDefaults, entity.rowScope ? 'Unique.' : 'Unique in the company.')]));
  return {
    row,
    page: pageOf(row),
    create: {
      type: 'object',
      additionalProperties: false,
      required: writable.filter((f) => f.options.required).map((f) => f.key),
      properties: { ...inputs(true), ...(entity.rowScope ? {} : { company_id: { type: 'integer', minimum: 1, description: 'One of your companies; your current company when left out' } }) },
    },
    patch: { type: 'object', additionalProperties: false, minProperties: 1, properties: Object.fromEntries(Object.entries(inputs(false)).filter(([key]) => !entity.field(key)?.options.fixed)) },
    listQuery: listQuerySchema(entity),
  };
}

function rowSchema(entity: AnyEntity): JsonSchema {
  const fields = entity.fieldList.filter((f) => f.kind !== 'secret');
  const all: Record<string, JsonSchema> = {
    company_id: { type: 'integer' },
    created_at: timestamp,
    updated_at: timestamp,
    created_by: { type: ['integer', 'null'] },
    updated_by: { type: ['integer', 'null'] },
  };
  const shown = [...(entity.rowScope ? [] : ['company_id']), ...entity.shownStamps];
  const stamps: Record<string, JsonSchema> = { id: { type: 'integer' }, ...Object.fromEntries(shown.map((key) => [key, all[key]])) };
  return {
    type: 'object',
    additionalProperties: false,
    required: [...Object.keys(stamps), ...fields.map((f) => f.key)],
    properties: { ...stamps, ...Object.fromEntries(fields.map((f) => [f.key, described(f, f.nullable ? orNull(valueSchema(f)) : valueSchema(f))])) },
  };
}

/** The value's type alone: rows answer it, filters take it. */
function valueSchema(f: ResolvedField): JsonSchema {
  switch (f.kind) {
    case 'integer':
    case 'ref':
      return { type: 'integer' };
    case 'money':
      return { type: 'integer', description: 'Minor units (1250 is 12.50)' };
    case 'rate':
      return { type: 'integer', description: 'Basis points (1250 is 12.50 %)' };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'enum':
      return { type: 'string', enum: Object.keys(f.options.values) };
    case 'list':
      return { type: 'array', items: { type: f.options.ids ? 'integer' : 'string' } };
    case 'json':
      return {};
    default:
      return { type: 'string' };
  }
}

/**
 * What a body may send. ajv checks shapes (types, enums, length caps the columns impose); the other
 * rules are the service's, which names every wrong field at once in the same words as forms do, so
 * here they are only described.
 */
function inputSchema(f: ResolvedField, withDefault: boolean, unique: string): JsonSchema {
  const o = f.options;
  const schema: JsonSchema = { ...valueSchema(f) };
  const rules: string[] = [];
  if (f.kind === 'code') rules.push(`1 to ${o.maxLength ?? 32} letters, digits, - or _${o.upper ? ', stored upper-case' : ''}.`);
  if (f.kind === 'code' || f.kind === 'text' || f.kind === 'secret') schema.maxLength = o.maxLength ?? (f.kind === 'code' ? 32 : f.kind === 'secret' ? 200 : undefined);
  if (f.kind === 'email') schema.maxLength = o.maxLength ?? 191;
  // Sent, never answered: the document says so, as the rows' schema leaves secrets out.
  if (f.kind === 'secret') schema.writeOnly = true;
  if (f.kind === 'phone') schema.maxLength = 40;
  if (o.minLength) rules.push(`At least ${o.minLength} characters.`);
  if (o.min !== undefined) rules.push(`At least ${o.min}.`);
  if (o.max !== undefined) rules.push(`At most ${o.max}.`);
  if (o.unique) rules.push(unique);
  if (f.kind === 'date') rules.push('A day, YYYY-MM-DD.');
  if (f.kind === 'datetime') rules.push('ISO 8601 with its offset.');
  if (f.kind === 'date' || f.kind === 'datetime') delete schema.format;
  if (f.kind === 'list' && !o.ids) Object.assign(schema, { maxItems: o.maxItems, items: { type: 'string', maxLength: o.maxLength ?? 100 } });
  // Distinct ids the database can hold, as every id list of the API.
  if (f.kind === 'list' && o.ids) Object.assign(schema, idListSchema(o.maxItems ?? 500), { minItems: o.minItems });
  if (withDefault && o.default !== undefined && o.default !== null) schema.default = o.default;
  const clean = Object.fromEntries(Object.entries(schema).filter(([, v]) => v !== undefined));
  return described(f, f.nullable ? orNull(clean) : clean, rules);
}

function described(f: ResolvedField, schema: JsonSchema, rules: string[] = []): JsonSchema {
  const text = [f.label + '.', f.options.hint, ...rules].filter(Boolean).join(' ');
  return f.kind === 'json' ? { description: text } : { ...schema, description: text };
}

function listQuerySchema(entity: AnyEntity): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  if (entity.search?.length) properties.q = { ...searchQuery.q, description: `Prefix of ${entity.search.join(', ')}` };
  for (const f of entity.fieldList) {
    if (!f.filter) continue;
    const value = valueSchema(f);
    if (!f.filter.range) properties[f.filter.param] = { ...value, description: `Only rows whose ${f.label.toLowerCase()} is this` };
    else {
      const bound = f.kind === 'date' || f.kind === 'datetime' ? { type: 'string', format: 'date' } : value;
      properties[`${f.filter.param}_from`] = { ...bound, description: `${f.label} from (inclusive${f.kind === 'datetime' ? ', a day on the company calendar' : ''})` };
      properties[`${f.filter.param}_to`] = { ...bound, description: `${f.label} to (inclusive${f.kind === 'datetime' ? ', a day on the company calendar' : ''})` };
    }
  }
  const sorts = entity.sortKeys.flatMap((key) => [key, `-${key}`]);
  properties.sort = { type: 'string', enum: sorts, default: entity.defaultSort, description: 'Order of the list; - in front for descending' };
  return { type: 'object', additionalProperties: false, properties: { ...properties, ...cursorQuery } };
}
