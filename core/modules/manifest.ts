import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ErrorObject, type Options } from 'ajv';
import schema from './manifest.schema.json';
import { prebuiltValidator } from '../data/prebuilt-validators';

export interface PermissionDeclaration {
  name: string;
  description: string;
  implies: string[];
}

export interface MenuDeclaration {
  id: string;
  label: string;
  path: string;
  permission: string;
  /** Permissions the user must hold besides `permission` (a page that checks more than its route's). */
  alsoRequires?: string[];
  parent?: string;
  order: number;
  /** A count shown beside the entry, filled by an installed module (`m.views.badge(name, source)`). */
  badge?: string;
}

export interface Manifest {
  name: string;
  version: string;
  description: string;
  entry: string;
  depends: string[];
  permissions: PermissionDeclaration[];
  menus: MenuDeclaration[];
  slots: string[];
  /** Events the module publishes: what each means and the JSON Schema of its payload. */
  events: Record<string, EventDeclaration>;
  settings: Record<string, unknown>;
}

export interface EventDeclaration {
  description: string;
  payload: Record<string, unknown>;
}

/** A module found on disk with its validated manifest. */
export interface ModuleSource {
  manifest: Manifest;
  dir: string;
  /** Where it was found: the built-in folder or an integrator's path. */
  origin: 'builtin' | 'external';
}

/** One thing wrong in a manifest: the field (a JSON pointer without the leading slash) and why. */
export interface ManifestProblem {
  field: string;
  reason: string;
}

/** Everything wrong with one manifest, reported at once so a module author fixes them in one go. */
export class ManifestError extends Error {
  /** The first problem's field, for a caller that shows one. */
  readonly field: string;

  constructor(
    readonly moduleName: string,
    readonly file: string,
    readonly problems: ManifestProblem[],
  ) {
    super(`Module "${moduleName}": ${file}: ${problems.map((p) => `field "${p.field}" ${p.reason}`).join('; ')}`);
    this.field = problems[0]?.field ?? '(root)';
  }
}

/** The ajv the manifest schema is compiled with, at a start or by the build (bin/prebuild-validators.js). */
export function manifestSchemaAjv(options: Options = {}): Ajv {
  // The manifest schema is core's own and tested: checking it against the meta-schema at every start
  // would cost more than validating every manifest.
  return new Ajv({ allErrors: true, useDefaults: true, validateSchema: false, ...options });
}

export const MANIFEST_SCHEMA: Record<string, unknown> = schema;

// The build's compiled copy when it was made from this schema (core/data/prebuilt-validators.ts).
const validateManifest =
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  prebuiltValidator<Manifest>(() => require('./manifest.validator.js'), schema) ?? manifestSchemaAjv().compile<Manifest>(schema);

/** Reads and validates `manifest.json` of a module folder; no code of the module runs before this passes. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  const guessedName = path.basename(dir);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestError(guessedName, file, [{ field: '(file)', reason: `cannot be read as JSON: ${(error as Error).message}` }]);
  }
  const name = typeof (raw as any)?.name === 'string' ? (raw as any).name : guessedName;
  const problems: ManifestProblem[] = [];
  if (!validateManifest(raw)) problems.push(...schemaProblems(validateManifest.errors ?? []));
  // The rules a JSON Schema cannot say; each looks only at parts of the right shape, so a manifest
  // broken in several ways still gets every problem reported.
  const manifest = raw as Manifest;
  problems.push(...ownNameProblems(manifest, name));
  if (typeof manifest?.entry === 'string' && !fs.existsSync(path.join(dir, manifest.entry))) {
    problems.push({ field: 'entry', reason: `names ${manifest.entry}, which does not exist` });
  }
  if (problems.length) throw new ManifestError(name, file, unique(problems));
  return manifest;
}

/** A module declares only its own permissions and events: their names start with the module's. */
function ownNameProblems(manifest: Manifest, name: string): ManifestProblem[] {
  const ownPrefix = `${name}.`;
  const problems: ManifestProblem[] = [];
  const permissions = Array.isArray(manifest?.permissions) ? manifest.permissions : [];
  for (const [index, permission] of permissions.entries()) {
    if (typeof permission?.name === 'string' && !permission.name.startsWith(ownPrefix)) {
      problems.push({ field: `permissions/${index}/name`, reason: `must start with "${ownPrefix}" (a module declares only its own permissions)` });
    }
  }
  for (const event of Object.keys(isObject(manifest?.events) ? manifest.events : {})) {
    if (!event.startsWith(ownPrefix)) problems.push({ field: `events/${event}`, reason: `must start with "${ownPrefix}" (a module declares only the events it publishes)` });
  }
  return problems;
}

function schemaProblems(errors: ErrorObject[]): ManifestProblem[] {
  // `propertyNames` reports twice: the broken rule under the name, then a summary on the object.
  return errors.filter((e) => e.keyword !== 'propertyNames').map((e) => ({ field: fieldOf(e), reason: e.message ?? 'is invalid' }));
}

function fieldOf(error: ErrorObject): string {
  const base = error.instancePath.replace(/^\//, '');
  const params = error.params as Record<string, string | undefined>;
  const extra = params.additionalProperty ?? params.missingProperty ?? (error as { propertyName?: string }).propertyName;
  return [base, extra].filter(Boolean).join('/') || '(root)';
}

function unique(problems: ManifestProblem[]): ManifestProblem[] {
  const byKey = new Map(problems.map((p) => [`${p.field} ${p.reason}`, p]));
  return [...byKey.values()];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
