import crypto from 'node:crypto';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';

/**
 * Validators compiled by the build instead of at every start. The schemas every start validates (the
 * configuration's, the manifests') took ajv tens of milliseconds to compile; `npm run build` writes
 * ajv's standalone code of each beside its compiled file (bin/prebuild-validators.js), and the start
 * loads that when it was made from the very same schema. The sources, and a build older than the
 * schema, compile as before: a prebuilt validator is a shortcut, never a second source of truth.
 */

/** The module the build writes: ajv's standalone validator, and the schema it was compiled from. */
export interface PrebuiltValidator {
  default: ValidateFunction;
  schemaHash: string;
}

export function schemaHash(schema: unknown): string {
  return crypto.createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

/**
 * The prebuilt validator `load` finds when it was made from `schema`, else null. `load` requires the
 * file by a literal path (`require('./x.validator.js')`), so a bundler takes it in and the sources,
 * which have no such file, fail to find it.
 */
export function prebuiltValidator<T = unknown>(load: () => PrebuiltValidator, schema: unknown): ValidateFunction<T> | null {
  let prebuilt: PrebuiltValidator;
  try {
    prebuilt = load();
  } catch {
    return null;
  }
  return typeof prebuilt?.default === 'function' && prebuilt.schemaHash === schemaHash(schema) ? (prebuilt.default as ValidateFunction<T>) : null;
}

/**
 * The module text for a prebuilt validator: `ajv` must be made with `code: { source: true }` and
 * otherwise exactly the options the start compiles with.
 */
export function standaloneValidatorSource(ajv: Ajv, schema: Record<string, unknown>): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const standaloneCode = require('ajv/dist/standalone').default as (ajv: Ajv, validate: ValidateFunction) => string;
  const code = standaloneCode(ajv, ajv.compile(schema));
  return `${code}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(schema))};\n`;
}
