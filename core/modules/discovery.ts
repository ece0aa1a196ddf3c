import fs from 'node:fs';
import path from 'node:path';
import { ModuleSource, readManifest } from './manifest';

/**
 * Finds modules: every folder with a manifest.json under the built-in `modules/` folder, then each
 * configured path. A configured path may be a module folder, a folder of modules, or an npm package
 * name resolvable from the project. Two modules with one name are refused.
 */
export function discoverModules(builtinDir: string, extraPaths: string[], baseDir: string): ModuleSource[] {
  const found: ModuleSource[] = [];
  for (const dir of moduleFoldersIn(builtinDir)) found.push({ manifest: readManifest(dir), dir, origin: 'builtin' });
  for (const entry of extraPaths) {
    for (const dir of resolveExternal(entry, baseDir)) found.push({ manifest: readManifest(dir), dir, origin: 'external' });
  }
  const byName = new Map<string, ModuleSource>();
  for (const source of found) {
    const other = byName.get(source.manifest.name);
    if (other) throw new Error(`Two modules are named "${source.manifest.name}": ${other.dir} and ${source.dir}`);
    byName.set(source.manifest.name, source);
  }
  return found;
}

function moduleFoldersIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'manifest.json')))
    .map((d) => path.join(dir, d.name))
    .sort();
}

function resolveExternal(entry: string, baseDir: string): string[] {
  const asPath = path.resolve(baseDir, entry);
  if (fs.existsSync(asPath)) {
    if (fs.existsSync(path.join(asPath, 'manifest.json'))) return [asPath];
    return moduleFoldersIn(asPath);
  }
  try {
    return [path.dirname(require.resolve(`${entry}/manifest.json`, { paths: [baseDir] }))];
  } catch {
    throw new Error(`Module path "${entry}" (TESSERA_MODULES_PATH) is neither a folder nor an installed npm package`);
  }
}
