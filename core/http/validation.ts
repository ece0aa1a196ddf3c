import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ValidationError } from './errors';
import type { JsonSchema } from './json-schema';

/**
 * One ajv for request schemas: query strings are coerced (they arrive as text), unknown body fields
 * are refused rather than silently dropped, and each error names its field.
 */
const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, removeAdditional: false });
addFormats(ajv);
ajv.addKeyword({ keyword: 'x-example' });
const cache = new WeakMap<JsonSchema, ValidateFunction>();

export function validateInput<T>(schema: JsonSchema | undefined, value: unknown, where: 'body' | 'query' | 'params'): T {
  if (!schema) return value as T;
  let validate = cache.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    cache.set(schema, validate);
  }
  if (!validate(value)) throw new ValidationError(fieldsOf(validate.errors ?? [], where));
  return value as T;
}

export function fieldsOf(errors: ErrorObject[], where: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const error of errors) {
    const params = error.params as Record<string, string>;
    let field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    if (params.missingProperty) field = [field, params.missingProperty].filter(Boolean).join('.');
    if (params.additionalProperty) field = [field, params.additionalProperty].filter(Boolean).join('.');
    const key = field || where;
    const message = params.additionalProperty ? 'is not a known field' : params.missingProperty ? 'is required' : error.keyword === 'enum' ? `must be one of: ${(params as any).allowedValues.join(', ')}` : (error.message ?? 'is invalid');
    fields[key] ??= message;
  }
  return fields;
}
