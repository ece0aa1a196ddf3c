import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ValidationError } from '../errors';
import { fieldsOf } from '../data/module-schemas';
import type { JsonSchema } from '../json-schema';
import { forbiddenKeyFields, textNumberFields, withSafeIntegers } from './input-guards';

/**
 * Two ajv instances for request schemas. Path and query values arrive as text, so that one coerces
 * (after input-guards made sure a number is written as one); JSON bodies carry their own types and
 * are taken as they are. Unknown body fields are refused rather than silently dropped, and each
 * error names its field.
 */
// Made on the first request that validates, not at every start: an ajv with its formats costs a
// few milliseconds to set up, and a start validates nothing.
let textAjv: Ajv | undefined;
let jsonAjv: Ajv | undefined;
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
    const ajv = asText ? (textAjv ??= makeAjv(true)) : (jsonAjv ??= makeAjv(false));
    validate = ajv.compile(withSafeIntegers(schema));
    cache.set(schema, validate);
  }
  if (!validate(value)) throw new ValidationError(fieldsOf(validate.errors ?? [], where));
  return value as T;
}
