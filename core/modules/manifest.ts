import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ErrorObject } from 'ajv';
import schema from './manifest.schema.json';

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
  parent?: string;
  order: number;
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
  settings: Record<string, unknown>;
}

/** A module found on disk with its validated manifest. */
export interface ModuleSource {
  manifest: Manifest;
  dir: string;
  /** Where it was found: the built-in folder or an integrator's path. */
  origin: 'builtin' | 'external';
}

export class ManifestError extends Error {
  constructor(
    readonly moduleName: string,
    readonly file: string,
    readonly field: string,
    reason: string,
  ) {
    super(`Module "${moduleName}": ${file}: field "${field}" ${reason}`);
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true });
const validateManifest = ajv.compile<Manifest>(schema);

/** Reads and validates `manifest.json` of a module folder; no code of the module runs before this passes. */
export function readManifest(dir: string): Manifest {
  const file = path.join(dir, 'manifest.json');
  const guessedName = path.basename(dir);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ManifestError(guessedName, file, '(file)', `cannot be read as JSON: ${(error as Error).message}`);
  }
  const name = typeof (raw as any)?.name === 'string' ? (raw as any).name : guessedName;
  if (!validateManifest(raw)) {
    const first = (validateManifest.errors ?? [])[0] as ErrorObject;
    throw new ManifestError(name, file, fieldOf(first), first.message ?? 'is invalid');
  }
  const manifest = raw as Manifest;
  const ownPrefix = `${manifest.name}.`;
  for (const [index, permission] of manifest.permissions.entries()) {
    if (!permission.name.startsWith(ownPrefix)) {
      throw new ManifestError(name, file, `permissions/${index}/name`, `must start with "${ownPrefix}" (a module declares only its own permissions)`);
    }
  }
  const entry = path.join(dir, manifest.entry);
  if (!fs.existsSync(entry)) throw new ManifestError(name, file, 'entry', `names ${manifest.entry}, which does not exist`);
  return manifest;
}

function fieldOf(error: ErrorObject): string {
  const base = error.instancePath.replace(/^\//, '');
  const extra = (error.params as any).additionalProperty ?? (error.params as any).missingProperty;
  return [base, extra].filter(Boolean).join('/') || '(root)';
}
