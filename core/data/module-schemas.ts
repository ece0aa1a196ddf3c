import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * The ajv for the JSON Schemas modules declare in their manifests (settings, event payloads), one per
 * kernel: checking a schema compiles the JSON Schema meta-schema first, a cost worth paying once.
 */
export function moduleSchemaAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true });
  addFormats(ajv);
  return ajv;
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
