import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { TesseraConfig } from './config';
import { prebuiltValidator } from '../data/prebuilt-validators';

/** The repository: two folders above core/config, or above dist/core/config in a compiled host. */
export const ROOT_DIR = repositoryOf(path.resolve(__dirname, '..', '..'));

function repositoryOf(dir: string): string {
  return path.basename(dir) === 'dist' && fs.existsSync(path.join(dir, '..', 'package.json')) ? path.dirname(dir) : dir;
}

export class ConfigError extends Error {}

/** Environment variables and the configuration key each one sets. */
const ENV: Record<string, (value: string) => [string[], unknown]> = {
  PORT: (v) => [['port'], toNumber(v)],
  DATABASE_URL: (v) => [['databaseUrl'], v],
  REDIS_URL: (v) => [['redisUrl'], v === '' ? null : v],
  TESSERA_INSTANCE: (v) => [['instanceName'], v],
  TESSERA_JOB_LEASE_SECONDS: (v) => [['jobLeaseSeconds'], toNumber(v)],
  TESSERA_TOKEN_CACHE_MS: (v) => [['tokenCacheMs'], toNumber(v)],
  SESSION_SECRET: (v) => [['sessionSecret'], v],
  TESSERA_SECRET_KEY: (v) => [['secretKey'], v],
  TESSERA_SECRET_KEY_FILE: (v) => [['secretKeyFile'], v],
  TESSERA_PUBLIC_URL: (v) => [['publicUrl'], v],
  TESSERA_MODULES_PATH: (v) => [['modulesPath'], v.split(path.delimiter).filter(Boolean)],
  TESSERA_DEMO: (v) => [['demo'], toBoolean(v)],
  TESSERA_AUTO_MIGRATE: (v) => [['autoMigrate'], toBoolean(v)],
  ADMIN_EMAIL: (v) => [['admin', 'email'], v],
  ADMIN_PASSWORD: (v) => [['admin', 'password'], v],
  LOG_LEVEL: (v) => [['logLevel'], v],
  TRUST_PROXY: (v) => [['trustProxy'], toBoolean(v)],
  SECURE_COOKIES: (v) => [['secureCookies'], toBoolean(v)],
  TESSERA_DEFAULT_COUNTRY: (v) => [['defaultCountry'], v.toUpperCase()],
};

/**
 * Reads `config/default.json`, then `config/local.json` if present, then the environment, and validates
 * the result with ajv. A bad value stops the start with the key and the environment variable named.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<TesseraConfig> = {}): TesseraConfig {
  const configDir = path.join(ROOT_DIR, 'config');
  const config: Record<string, any> = readJson(path.join(configDir, 'default.json'));
  const localFile = env.TESSERA_CONFIG ?? path.join(configDir, 'local.json');
  if (fs.existsSync(localFile)) deepMerge(config, readJson(localFile));

  const sourceOf: Record<string, string> = {};
  for (const [variable, apply] of Object.entries(ENV)) {
    const raw = env[variable];
    if (raw === undefined) continue;
    const [keyPath, value] = apply(raw);
    setPath(config, keyPath, value);
    sourceOf['/' + keyPath.join('/')] = variable;
  }
  deepMerge(config, overrides as Record<string, unknown>);
  delete config.rootDir;

  const validate = configValidator(CONFIG_SCHEMA_FILE);
  if (!validate(config)) {
    const problems = (validate.errors ?? []).map((e) => {
      const key = e.instancePath || '/' + ((e.params as any).additionalProperty ?? (e.params as any).missingProperty ?? '');
      const from = sourceOf[key] ? ` (from ${sourceOf[key]})` : '';
      return `config ${key.slice(1).replace(/\//g, '.')}${from}: ${e.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return { ...(config as TesseraConfig), rootDir: ROOT_DIR };
}

const validators = new Map<string, ValidateFunction>();

/** Compiled once per process: a start reads the configuration more than once, and compiling is most of the cost. */
function configValidator(file: string): ValidateFunction {
  let validate = validators.get(file);
  if (!validate) {
    const schema = readJson(file);
    // The build's compiled copy when it was made from this schema (core/data/prebuilt-validators.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    validate = prebuiltValidator(() => require('./config.validator.js'), schema) ?? configSchemaAjv().compile(schema);
    validators.set(file, validate);
  }
  return validate;
}

/** The ajv the configuration's schema is compiled with, at a start or by the build (bin/prebuild-validators.js). */
export function configSchemaAjv(options: Options = {}): Ajv {
  // core's own schema, tested: no need to check it against the meta-schema at every start.
  const ajv = new Ajv({ allErrors: true, useDefaults: true, validateSchema: false, ...options });
  addFormats(ajv);
  return ajv;
}

/** The configuration's JSON Schema. */
export const CONFIG_SCHEMA_FILE = path.join(ROOT_DIR, 'config', 'schema.json');

function readJson(file: string): any {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}

function toNumber(v: string): unknown {
  return /^\d+$/.test(v) ? Number(v) : v;
}
function toBoolean(v: string): unknown {
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  return v;
}
function setPath(target: Record<string, any>, keyPath: string[], value: unknown): void {
  let node = target;
  for (const key of keyPath.slice(0, -1)) node = node[key] ??= {};
  node[keyPath[keyPath.length - 1]] = value;
}
function deepMerge(target: Record<string, any>, source: Record<string, any>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && target[key] && typeof target[key] === 'object') deepMerge(target[key], value);
    else target[key] = value;
  }
}
