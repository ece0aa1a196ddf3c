import Ajv from 'ajv';
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
