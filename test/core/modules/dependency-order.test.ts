import path from 'node:path';
import { expect } from 'chai';
import { orderByDependencies, dependantsOf, dependsOn, DependencyError } from '../../../core/modules/dependency-order';
import type { ModuleSource } from '../../../core/modules/manifest';
import { Kernel } from '../../../core/kernel/kernel';
import { createTestDatabase } from '../../support/test-database';
import { ModuleFolders, manifestOf, entriesRun, resetEntriesRun } from './module-folders';

/** Modules given as `name: [its depends]`. */
function modules(graph: Record<string, string[]>): ModuleSource[] {
  return Object.entries(graph).map(([name, depends]) => ({
    manifest: { name, version: '1.0.0', description: name, entry: 'index.ts', depends, permissions: [], menus: [], slots: [], events: {}, settings: {} },
    dir: `/modules/${name}`,
    origin: 'builtin' as const,
  }));
}

const names = (sources: ModuleSource[]) => sources.map((s) => s.manifest.name);

function refusal(graph: Record<string, string[]>): DependencyError {
  try {
    orderByDependencies(modules(graph));
  } catch (error) {
    expect(error).to.be.instanceOf(DependencyError);
    return error as DependencyError;
  }
  throw new Error('expected the modules to be refused');
}

describe('module dependency order', () => {
  it('puts every module after the modules it depends on, whatever order they were found in', () => {
    const ordered = names(orderByDependencies(modules({ loyalty: ['crm', 'billing'], billing: ['crm'], crm: ['base'], base: [] })));
    expect(ordered).to.deep.equal(['base', 'crm', 'billing', 'loyalty']);
  });

  it('orders modules with no dependency between them by name, so every process agrees', () => {
    const once = names(orderByDependencies(modules({ zeta: ['base'], alpha: ['base'], base: [], mid: [] })));
    const again = names(orderByDependencies(modules({ mid: [], base: [], alpha: ['base'], zeta: ['base'] })));
    expect(once).to.deep.equal(again);
    expect(once.indexOf('alpha')).to.be.lessThan(once.indexOf('zeta'));
  });

  it('refuses a missing dependency, naming the chain that needs it', () => {
    const error = refusal({ app: ['billing'], billing: ['ledger'], base: [] });
    expect(error.message).to.equal('Module "billing" depends on "ledger", which is not available (chain: app -> billing -> ledger)');
  });

  it('refuses a missing dependency of a module nobody depends on', () => {
    expect(refusal({ crm: ['base'] }).message).to.equal('Module "crm" depends on "base", which is not available (chain: crm -> base)');
  });

  it('refuses a circular dependency, spelling the circle out', () => {
    expect(refusal({ a: ['b'], b: ['c'], c: ['a'] }).message).to.equal('Circular dependency between modules: a -> b -> c -> a');
  });

  it('refuses a module that depends on itself', () => {
    expect(refusal({ base: [], selfish: ['selfish'] }).message).to.equal('Circular dependency between modules: selfish -> selfish');
  });

  it('knows the dependants of a module, direct or not', () => {
    const sources = modules({ base: [], crm: ['base'], loyalty: ['crm'], other: [] });
    expect(dependantsOf('base', sources).sort()).to.deep.equal(['crm', 'loyalty']);
    expect(dependsOn('loyalty', 'base', sources)).to.equal(true);
    expect(dependsOn('base', 'loyalty', sources)).to.equal(false);
    expect(dependsOn('other', 'base', sources)).to.equal(false);
  });

  it('at start-up, a missing dependency stops the boot before any module code runs', async () => {
    const folders = new ModuleFolders();
    const database = await createTestDatabase();
    resetEntriesRun();
    try {
      const modulesDir = path.join(folders.root, 'modules');
      folders.add('notes', manifestOf('notes', { depends: ['attachments'] }), { under: 'modules' });
      folders.add('base_like', manifestOf('base_like'), { under: 'modules' });

      const error = await Kernel.boot({ modulesDir, config: { databaseUrl: database.url, logLevel: 'silent' } }).then(
        () => null,
        (e: Error) => e,
      );

      expect(error?.message).to.equal('Module "notes" depends on "attachments", which is not available (chain: notes -> attachments)');
      expect(entriesRun()).to.deep.equal([]);
    } finally {
      folders.remove();
      await database.drop();
    }
  });
});
