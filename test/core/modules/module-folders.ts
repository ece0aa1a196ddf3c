import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Module folders written on the fly into a temporary directory, for tests about manifests, discovery and
 * dependencies. Each entry file records in `globalThis.__tesseraEntriesRun` that it ran, so a test can
 * prove that no code of a module ran.
 */
export class ModuleFolders {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-modules-'));

  /** Writes `<root>/<folder>/manifest.json` (an object is serialised, a string written as is) and an entry file. */
  add(folder: string, manifest: Record<string, unknown> | string, options: { entry?: string | false; under?: string } = {}): string {
    const dir = path.join(this.root, options.under ?? '', folder);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2));
    if (options.entry !== false) {
      fs.writeFileSync(
        path.join(dir, options.entry ?? 'index.ts'),
        `const g = globalThis as any;
(g.__tesseraEntriesRun ??= []).push(${JSON.stringify(folder)});
export default { register(): void {} };
`,
      );
    }
    return dir;
  }

  remove(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The folders whose entry file ran since the last `resetEntriesRun()`. */
export function entriesRun(): string[] {
  return [...((globalThis as any).__tesseraEntriesRun ?? [])];
}

export function resetEntriesRun(): void {
  (globalThis as any).__tesseraEntriesRun = [];
}

/** A valid manifest for `name`, with `changes` applied (a key set to undefined is removed). */
export function manifestOf(name: string, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const manifest: Record<string, unknown> = {
    name,
    version: '1.0.0',
    description: `Test module ${name}`,
    depends: [],
    permissions: [{ name: `${name}.thing.read`, description: 'See things' }],
    ...changes,
  };
  for (const [key, value] of Object.entries(manifest)) if (value === undefined) delete manifest[key];
  return manifest;
}
