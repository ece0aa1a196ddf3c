import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { discoverModules } from '../../../core/modules/discovery';
import { loadConfig, ROOT_DIR } from '../../../core/config/load-config';
import { ModuleFolders, manifestOf, entriesRun, resetEntriesRun } from './module-folders';

describe('module discovery', () => {
  let folders: ModuleFolders;
  beforeEach(() => {
    folders = new ModuleFolders();
    resetEntriesRun();
  });
  afterEach(() => folders.remove());

  it("finds the built-in modules and those in every folder of TESSERA_MODULES_PATH, without running their code", () => {
    const builtin = path.join(folders.root, 'modules');
    folders.add('base_like', manifestOf('base_like'), { under: 'modules' });
    // An integrator's folder of modules, and a single module folder named directly.
    folders.add('visits', manifestOf('visits'), { under: 'integrator' });
    folders.add('surveys', manifestOf('surveys'), { under: 'integrator' });
    const single = folders.add('badges', manifestOf('badges'), { under: 'elsewhere' });
    const config = loadConfig({ ...process.env, TESSERA_MODULES_PATH: [path.join(folders.root, 'integrator'), single].join(path.delimiter) });

    const found = discoverModules(builtin, config.modulesPath, config.rootDir);

    expect(found.map((s) => [s.manifest.name, s.origin])).to.deep.equal([
      ['base_like', 'builtin'],
      ['surveys', 'external'],
      ['visits', 'external'],
      ['badges', 'external'],
    ]);
    expect(found.find((s) => s.manifest.name === 'badges')!.dir).to.equal(single);
    expect(entriesRun()).to.deep.equal([]);
  });

  it('ignores folders without a manifest', () => {
    const builtin = path.join(folders.root, 'modules');
    folders.add('real', manifestOf('real'), { under: 'modules' });
    fs.mkdirSync(path.join(builtin, 'notes-for-humans'));
    expect(discoverModules(builtin, [], ROOT_DIR).map((s) => s.manifest.name)).to.deep.equal(['real']);
  });

  it('refuses two modules with one name, naming both folders', () => {
    const first = folders.add('visits', manifestOf('visits'), { under: 'modules' });
    const second = folders.add('visits', manifestOf('visits'), { under: 'integrator' });

    expect(() => discoverModules(path.join(folders.root, 'modules'), [path.join(folders.root, 'integrator')], ROOT_DIR)).to.throw(
      `Two modules are named "visits": ${first} and ${second}`,
    );
  });

  it('refuses a TESSERA_MODULES_PATH entry that is neither a folder nor an installed package', () => {
    expect(() => discoverModules(path.join(folders.root, 'modules'), ['./no/such/folder'], ROOT_DIR)).to.throw(
      'Module path "./no/such/folder" (TESSERA_MODULES_PATH) is neither a folder nor an installed npm package',
    );
  });

  it('nothing in core names a built-in module', () => {
    const builtinNames = fs
      .readdirSync(path.join(ROOT_DIR, 'modules'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    const offences: string[] = [];
    for (const file of sourceFiles(path.join(ROOT_DIR, 'core'))) {
      const code = stripComments(fs.readFileSync(file, 'utf8'));
      for (const [, , literal] of code.matchAll(/(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)) {
        for (const name of builtinNames) {
          if (new RegExp(`(^|[/.\\s])${name}([/.]|$)`).test(literal)) offences.push(`${path.relative(ROOT_DIR, file)}: "${literal}" names module ${name}`);
        }
      }
    }
    expect(offences).to.deep.equal([]);
  });
});

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|json)$/.test(entry.name) ? [full] : [];
  });
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}
