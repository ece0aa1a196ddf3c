import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { ROOT_DIR } from '../../../core/config/load-config';

/** The repository files a TypeScript file imports (relative imports only), as paths from the root. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT_DIR, file), 'utf8');
  const found = [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)'(\.[^']+)'/g)].map((m) => m[1]);
  return found.map((spec) => path.relative(ROOT_DIR, path.resolve(path.dirname(path.join(ROOT_DIR, file)), spec)).replace(/\\/g, '/'));
}

function filesUnder(folder: string): string[] {
  return fs
    .readdirSync(path.join(ROOT_DIR, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT_DIR, path.join(e.parentPath, e.name)).replace(/\\/g, '/'));
}

/** The resource layer's data parts: declarations, rows, queries, the service; not its API, forms or pages. */
const RESOURCE_DATA = ['define-entity', 'fields', 'entity-types', 'entity-service', 'entity-query', 'entity-registry', 'row-mapping', 'field-rules', 'field-text', 'display-context', 'entity-history'].map(
  (name) => `core/resources/${name}.ts`,
);

describe('core layering', function () {
  this.timeout(60_000);
  it('keeps its errors in one file that http, data and security all use', () => {
    expect(fs.existsSync(path.join(ROOT_DIR, 'core/http/errors.ts'))).to.equal(false);
    for (const layer of ['core/http', 'core/data', 'core/security']) {
      const users = filesUnder(layer).filter((file) => importsOf(file).includes('core/errors'));
      expect(users, `${layer} uses core/errors.ts`).to.not.be.empty;
    }
  });

  it('the data layer imports nothing from http', () => {
    const data = [...filesUnder('core/data'), ...filesUnder('core/db'), ...RESOURCE_DATA];
    const reaching = data.flatMap((file) => importsOf(file).filter((target) => target.startsWith('core/http/')).map((target) => `${file} -> ${target}`));
    expect(reaching).to.deep.equal([]);
  });

  it('http is handed the services it uses, not the kernel', () => {
    const reaching = filesUnder('core/http').flatMap((file) => importsOf(file).filter((target) => target === 'core/kernel/kernel').map(() => file));
    expect(reaching).to.deep.equal([]);
  });

  it('module code reaches Tessera only through tessera/core and tessera/testing', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT_DIR, 'bin/codemods/core-imports.js'), '--check', 'modules', 'examples'], { cwd: ROOT_DIR, encoding: 'utf8' });
    expect(run.stdout + run.stderr, 'node bin/codemods/core-imports.js would change these').to.match(/0 file\(s\) to rewrite, 0 export\(s\) to add/);
    expect(run.status).to.equal(0);
  });
});
