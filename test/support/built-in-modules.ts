import fs from 'node:fs';
import path from 'node:path';

/** The modules shipped in `modules/`, read from their manifests: tests name them without a list to keep. */
export function builtInModules(): Array<{ name: string; depends: string[] }> {
  const root = path.resolve(__dirname, '..', '..', 'modules');
  return fs
    .readdirSync(root)
    .filter((dir) => fs.existsSync(path.join(root, dir, 'manifest.json')))
    .map((dir) => JSON.parse(fs.readFileSync(path.join(root, dir, 'manifest.json'), 'utf8')) as { name: string; depends?: string[] })
    .map((m) => ({ name: m.name, depends: m.depends ?? [] }));
}
