import fs from 'node:fs';
import path from 'node:path';
import Module from 'node:module';
import { ROOT_DIR } from '../config/load-config';

/** True when this process runs the JavaScript compiled into dist/, not the TypeScript sources. */
export const RUNS_COMPILED = __filename.endsWith('.js');

const DIST_DIR = path.join(ROOT_DIR, 'dist');
const HOST_SOURCES = ['core', 'modules', path.join('test', 'support')].map((folder) => path.join(ROOT_DIR, folder) + path.sep);

// An integrator's module imports tessera/core by name from a folder outside this install: map the name here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
require(path.join(ROOT_DIR, 'bin', 'resolve-faces.js'));

/**
 * In a compiled host, a TypeScript file of the repository (a built-in module's entry, a migration, or
 * a core file an integrator's module imports by a relative path) stands for its compiled twin under
 * dist/: the host keeps one copy of core, so `instanceof` and the shared container hold for everyone.
 */
function compiledTwin(file: string): string {
  if (!file.endsWith('.ts') || !HOST_SOURCES.some((dir) => file.startsWith(dir))) return file;
  const twin = path.join(DIST_DIR, path.relative(ROOT_DIR, file)).replace(/\.ts$/, '.js');
  return fs.existsSync(twin) ? twin : file;
}

if (RUNS_COMPILED) {
  const resolver = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
  const resolve = resolver._resolveFilename;
  resolver._resolveFilename = function (request: string, ...rest: unknown[]) {
    return compiledTwin(resolve.call(this, request, ...rest));
  };
}

let typeScriptRegistered = false;

/**
 * Loads a module's code (entry file, migration). TypeScript that has no compiled twin, an integrator's
 * module above all, is loaded through tsx, registered the first time such a file is met: a compiled
 * host that meets none never pays for it.
 */
export function loadCode(file: string): any {
  if (file.endsWith('.ts') && compiledTwin(file) === file && !hasTypeScriptLoader()) {
    require('tsx/cjs/api').register();
    typeScriptRegistered = true;
  }
  return require(file);
}

function hasTypeScriptLoader(): boolean {
  return typeScriptRegistered || '.ts' in (Module as unknown as { _extensions: Record<string, unknown> })._extensions;
}
