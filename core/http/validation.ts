import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ValidationError } from './errors';
import type { JsonSchema } from './json-schema';
import { forbiddenKeyFields, textNumberFields, withSafeIntegers } from './input-guards';

/**
 * Two ajv instances for request schemas. Path and query values arrive as text, so that one coerces
 * (after input-guards made sure a number is written as one); JSON bodies carry their own types and
 * are taken as they are. Unknown body fields are refused rather than silently dropped, and each
 * error names its field.
 */
const textAjv = makeAjv(true);
const jsonAjv = makeAjv(false);
const compiled = { text: new WeakMap<JsonSchema, ValidateFunction>(), json: new WeakMap<JsonSchema, ValidateFunction>() };

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ allErrors: true, coerceTypes, useDefaults: true, removeAdditional: false });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-example' });
  return ajv;
}

export type InputPlace = 'body' | 'query' | 'params';

export function validateInput<T>(schema: JsonSchema | undefined, value: unknown, where: InputPlace): T {
  const fields = forbiddenKeyFields(value, where);
  if (Object.keys(fields).length) throw new ValidationError(fields);
  if (!schema) return value as T;
  const asText = where !== 'body';
  if (asText) {
    const bad = textNumberFields(schema, value);
    if (Object.keys(bad).length) throw new ValidationError(bad);
  }
  const cache = asText ? compiled.text : compiled.json;
  let validate = cache.get(schema);
  if (!validate) {
    validate = (asText ? textAjv : jsonAjv).compile(withSafeIntegers(schema));
    cache.set(schema, validate);
  }
  if (!validate(value)) throw new ValidationError(fieldsOf(validate.errors ?? [], where));
  return value as T;
}

/**
 * Field names are data here (`constructor` or `__proto__` may well be the field at fault), so they
 * are collected in a Map: a plain object would read them as its prototype's members instead.
 */
export function fieldsOf(errors: ErrorObject[], where: string): Record<string, string> {
  const fields = new Map<string, string>();
  for (const error of errors) {
    const params = error.params as Record<string, string>;
    let field = error.instancePath.replace(/^\//, '').replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~');
    if (params.missingProperty) field = [field, params.missingProperty].filter(Boolean).join('.');
    if (params.additionalProperty) field = [field, params.additionalProperty].filter(Boolean).join('.');
    const key = field || where;
    const message = params.additionalProperty ? 'is not a known field' : params.missingProperty ? 'is required' : error.keyword === 'enum' ? `must be one of: ${(params as any).allowedValues.join(', ')}` : (error.message ?? 'is invalid');
    if (!fields.has(key)) fields.set(key, message);
  }
  return Object.fromEntries(fields);
}
