import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../../core/db/connection';
import { ROOT_DIR } from '../../../core/config/load-config';
import { coreMigrationsDir } from '../../../core/kernel/kernel';
import { readManifest, ModuleSource } from '../../../core/modules/manifest';
import { orderByDependencies } from '../../../core/modules/dependency-order';
import { ModuleLifecycle } from '../../../core/modules/lifecycle';
import { createTestDatabase, TestDatabase } from '../../support/test-database';

/*
 * Fixtures (test/fixtures/lifecycle):
 *   notebook-v1      notebook 1.0.0: 001 creates notebook_pages; a permission, a menu, a slot, a setting
 *   notebook-v2      notebook 1.1.0: 001 as above, 002 creates notebook_tags; one more permission and menu
 *   notebook-broken  notebook 1.1.0: 001, 002 as in v2, and 003 which throws
 *   annotate         annotate 1.0.0, depends on notebook: 001 creates annotate_marks
 *   annotate-broken  annotate 1.0.0: 001 as above, and 002 which throws
 *   squatter         declares a menu id and a slot that notebook owns
 */
const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'lifecycle');

function sourcesFrom(dirs: string[]): ModuleSource[] {
  return orderByDependencies(dirs.map((dir) => ({ manifest: readManifest(dir), dir, origin: 'external' as const })));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to be rejected, but it resolved');
}

describe('module lifecycle (install, upgrade, uninstall, resume, rollback)', () => {
  let database: TestDatabase;
  const opened: Knex[] = [];

  /** One process's view of the host: its own connection, and the module folders it was deployed with. */
  async function processWith(...fixtures: string[]): Promise<{ knex: Knex; lifecycle: ModuleLifecycle }> {
    return processWithDirs(fixtures.map((f) => (path.isAbsolute(f) ? f : path.join(FIXTURES, f))));
  }
  async function processWithDirs(dirs: string[]): Promise<{ knex: Knex; lifecycle: ModuleLifecycle }> {
    const knex = openDatabase(database.url, ROOT_DIR);
    opened.push(knex);
    const lifecycle = new ModuleLifecycle(knex, sourcesFrom(dirs), coreMigrationsDir());
    await lifecycle.migrateCore();
    return { knex, lifecycle };
  }

  const journal = async (knex: Knex, module: string) => (await knex('core_migrations').where({ module }).orderBy('name').select('id', 'name', 'operation_id')).map((r: any) => ({ ...r, id: Number(r.id), operation_id: r.operation_id === null ? null : Number(r.operation_id) }));
  const journalNames = async (knex: Knex, module: string) => (await journal(knex, module)).map((r) => r.name);
  const moduleRow = (knex: Knex, name: string) => knex('core_modules').where({ name }).first();
  const owned = async (knex: Knex, module: string, kind: string) => (await knex('core_module_ownership').where({ module, kind }).pluck('name')).sort();
  const operations = (knex: Knex, module: string) => knex('core_module_operations').where({ module }).orderBy('id').select();

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    for (const knex of opened.splice(0)) await knex.destroy();
    await database.drop();
  });

  describe('install', () => {
    it('creates the tables, journals each migration and records the tables, permissions, menus, slots and settings the module owns', async () => {
      const { knex, lifecycle } = await processWith('notebook-v1');

      expect(await lifecycle.install('notebook')).to.deep.equal(['notebook']);

      expect(await knex.schema.hasTable('notebook_pages')).to.equal(true);
      const [install] = await operations(knex, 'notebook');
      expect(install).to.include({ kind: 'install', status: 'done', to_version: '1.0.0' });
      expect((await journal(knex, 'notebook')).map((s) => [s.name, s.operation_id])).to.deep.equal([['001_create_notebook_pages', Number(install.id)]]);
      expect(await moduleRow(knex, 'notebook')).to.include({ version: '1.0.0', state: 'installed' });
      expect(await owned(knex, 'notebook', 'table')).to.deep.equal(['notebook_pages']);
      expect(await owned(knex, 'notebook', 'permission')).to.deep.equal(['notebook.page.read']);
      expect(await owned(knex, 'notebook', 'menu')).to.deep.equal(['notebook']);
      expect(await owned(knex, 'notebook', 'slot')).to.deep.equal(['notebook.page.panels']);
      expect(await owned(knex, 'notebook', 'setting')).to.deep.equal(['notebook.page_size']);
    });

    it('installs the dependencies a module lacks first, in dependency order', async () => {
      const { knex, lifecycle } = await processWith('annotate', 'notebook-v1');

      expect(await lifecycle.install('annotate')).to.deep.equal(['notebook', 'annotate']);

      expect(await knex.schema.hasTable('notebook_pages')).to.equal(true);
      expect(await knex.schema.hasTable('annotate_marks')).to.equal(true);
      const order = await knex('core_migrations').whereIn('module', ['notebook', 'annotate']).orderBy('id').pluck('module');
      expect(order).to.deep.equal(['notebook', 'annotate']);
    });

    it('is a no-op for a module already installed', async () => {
      const { knex, lifecycle } = await processWith('notebook-v1');
      await lifecycle.install('notebook');

      expect(await lifecycle.install('notebook')).to.deep.equal([]);
      expect(await operations(knex, 'notebook')).to.have.length(1);
    });

    it("refuses a module declaring a menu or slot another module owns, before running anything, and keeps the owner's record", async () => {
      const { knex, lifecycle } = await processWith('notebook-v1', 'squatter');
      await lifecycle.install('notebook');

      const error = await rejection(lifecycle.install('squatter'));

      expect(error.message).to.equal('Module "squatter" declares menu "notebook", which module "notebook" owns');
      expect(await owned(knex, 'notebook', 'menu')).to.deep.equal(['notebook']);
      expect(await owned(knex, 'notebook', 'slot')).to.deep.equal(['notebook.page.panels']);
      expect(await moduleRow(knex, 'squatter')).to.equal(undefined);
    });

    it('refuses a name no module has', async () => {
      const { lifecycle } = await processWith('notebook-v1');
      expect((await rejection(lifecycle.install('nosuch'))).message).to.match(/No module named "nosuch"/);
    });
  });

  describe('upgrade', () => {
    it("runs only the new version's pending migrations, keeps the data and records the new version and what it owns", async () => {
      const v1 = await processWith('notebook-v1');
      await v1.lifecycle.install('notebook');
      await v1.knex('notebook_pages').insert({ title: 'written under 1.0.0' });
      const [firstStep] = await journal(v1.knex, 'notebook');

      // The same database, reached by a process deployed with version 1.1.0.
      const v2 = await processWith('notebook-v2');
      const [before] = await v2.lifecycle.status();
      expect(before).to.include({ version: '1.1.0', installedVersion: '1.0.0', state: 'installed' });
      expect(before.pendingMigrations).to.deep.equal(['002_create_notebook_tags']);

      await v2.lifecycle.upgrade('notebook');

      const upgrade = (await operations(v2.knex, 'notebook')).at(-1);
      expect(upgrade).to.include({ kind: 'upgrade', status: 'done', from_version: '1.0.0', to_version: '1.1.0' });
      const steps = await journal(v2.knex, 'notebook');
      expect(steps.map((s) => s.name)).to.deep.equal(['001_create_notebook_pages', '002_create_notebook_tags']);
      expect(steps[0]).to.deep.equal(firstStep, 'the step applied by the install is not run again');
      expect(steps[1].operation_id).to.equal(Number(upgrade.id));
      expect(await v2.knex('notebook_pages').pluck('title')).to.deep.equal(['written under 1.0.0']);
      expect(await moduleRow(v2.knex, 'notebook')).to.include({ version: '1.1.0', state: 'installed' });
      expect(await owned(v2.knex, 'notebook', 'table')).to.deep.equal(['notebook_pages', 'notebook_tags']);
      expect(await owned(v2.knex, 'notebook', 'permission')).to.deep.equal(['notebook.page.read', 'notebook.tag.manage']);
      expect(await owned(v2.knex, 'notebook', 'menu')).to.deep.equal(['notebook', 'notebook.tags']);
      expect((await v2.lifecycle.status())[0].pendingMigrations).to.deep.equal([]);
    });

    it('refuses a module that is not installed', async () => {
      const { lifecycle } = await processWith('notebook-v2');
      expect((await rejection(lifecycle.upgrade('notebook'))).message).to.match(/"notebook" is not installed/);
    });
  });

  describe('uninstall', () => {
    it('is refused while an installed module depends on it, naming the dependant, and changes nothing', async () => {
      const { knex, lifecycle } = await processWith('notebook-v1', 'annotate');
      await lifecycle.install('annotate');

      const error = await rejection(lifecycle.uninstall('notebook'));

      expect(error.message).to.match(/"notebook" cannot be uninstalled while these installed modules depend on it: annotate/);
      expect(await moduleRow(knex, 'notebook')).to.include({ state: 'installed' });
      expect(await knex.schema.hasTable('notebook_pages')).to.equal(true);
      expect(await owned(knex, 'notebook', 'permission')).to.deep.equal(['notebook.page.read']);
    });

    it('is refused while a dependant is failed half-way through its install, naming it and its state', async () => {
      const { knex, lifecycle } = await processWith('notebook-v1', 'annotate-broken');
      await lifecycle.install('notebook');
      await rejection(lifecycle.install('annotate'));

      const error = await rejection(lifecycle.uninstall('notebook', { dropData: true }));

      expect(error.message).to.match(/"notebook" cannot be uninstalled while these installed modules depend on it: annotate \(failed\)/);
      expect(await knex.schema.hasTable('notebook_pages')).to.equal(true);
    });

    it('is allowed once the dependant is uninstalled', async () => {
      const { knex, lifecycle } = await processWith('notebook-v1', 'annotate');
      await lifecycle.install('annotate');
      await lifecycle.uninstall('annotate');

      await lifecycle.uninstall('notebook');

      expect(await moduleRow(knex, 'notebook')).to.include({ state: 'uninstalled' });
    });

    it('keeps the tables and their rows by default, and a reinstall finds them without migrating again', async () => {
      const { knex, lifecycle } = await processWith('notebook-v1');
      await lifecycle.install('notebook');
      await knex('notebook_pages').insert({ title: 'kept across an uninstall' });

      await lifecycle.uninstall('notebook');

      expect(await moduleRow(knex, 'notebook')).to.include({ state: 'uninstalled' });
      expect(await knex('notebook_pages').pluck('title')).to.deep.equal(['kept across an uninstall']);
      expect(await owned(knex, 'notebook', 'table')).to.deep.equal(['notebook_pages'], 'the kept table stays recorded as the module’s');
      expect(await owned(knex, 'notebook', 'permission')).to.deep.equal([]);
      expect(await owned(knex, 'notebook', 'menu')).to.deep.equal([]);

      await lifecycle.install('notebook');

      expect(await moduleRow(knex, 'notebook')).to.include({ state: 'installed' });
      expect(await knex('notebook_pages').pluck('title')).to.deep.equal(['kept across an uninstall']);
      expect(await journalNames(knex, 'notebook')).to.deep.equal(['001_create_notebook_pages']);
      expect(await owned(knex, 'notebook', 'permission')).to.deep.equal(['notebook.page.read']);
    });

    it('with --drop-data reverts every migration, newest first, and forgets the settings and grants of the module', async () => {
      const { knex, lifecycle } = await processWith('notebook-v2');
      await lifecycle.install('notebook');
      const now = new Date();
      const [companyId] = await knex('core_companies').insert({ code: 'C1', name: 'C1', created_at: now, updated_at: now });
      const [roleId] = await knex('core_roles').insert({ name: 'Notebook readers', created_at: now, updated_at: now });
      await knex('core_role_permissions').insert([
        { role_id: roleId, permission: 'notebook.page.read' },
        { role_id: roleId, permission: 'core.user.read' },
      ]);
      await knex('core_settings').insert({ company_id: companyId, module: 'notebook', value: '{"page_size":5}', updated_at: now });

      const plan = await lifecycle.uninstall('notebook', { dropData: true });

      expect(plan.migrationsToRevert).to.deep.equal(['002_create_notebook_tags', '001_create_notebook_pages']);
      expect(await knex.schema.hasTable('notebook_pages')).to.equal(false);
      expect(await knex.schema.hasTable('notebook_tags')).to.equal(false);
      expect(await journalNames(knex, 'notebook')).to.deep.equal([]);
      expect(await knex('core_module_ownership').where({ module: 'notebook' })).to.deep.equal([]);
      expect(await knex('core_settings').where({ module: 'notebook' })).to.deep.equal([]);
      expect(await knex('core_role_permissions').where({ role_id: roleId }).pluck('permission')).to.deep.equal(['core.user.read']);
      expect(await moduleRow(knex, 'notebook')).to.include({ state: 'uninstalled' });

      // A later install starts from nothing again.
      await lifecycle.install('notebook');
      expect(await journalNames(knex, 'notebook')).to.deep.equal(['001_create_notebook_pages', '002_create_notebook_tags']);
      expect(await knex('notebook_pages').count({ n: '*' })).to.deep.equal([{ n: 0 }]);
    });

    it('--dry-run: the plan lists the tables, permissions, menus, slots and settings and touches nothing', async () => {
      const { knex, lifecycle } = await processWith('notebook-v2', 'annotate');
      await lifecycle.install('annotate');
      const snapshot = async () => ({
        modules: await knex('core_modules').orderBy('name').select(),
        ownership: await knex('core_module_ownership').orderBy('id').select(),
        journal: await knex('core_migrations').orderBy('id').select(),
        operations: await knex('core_module_operations').orderBy('id').select(),
        tables: {
          notebook_pages: await knex.schema.hasTable('notebook_pages'),
          notebook_tags: await knex.schema.hasTable('notebook_tags'),
        },
      });
      const before = await snapshot();

      const plan = await lifecycle.planUninstall('notebook', true);

      expect(plan).to.deep.equal({
        module: 'notebook',
        dropData: true,
        blockedBy: ['annotate'],
        tables: ['notebook_pages', 'notebook_tags'],
        permissions: ['notebook.page.read', 'notebook.tag.manage'],
        menus: ['notebook', 'notebook.tags'],
        slots: ['notebook.page.panels'],
        settings: ['notebook.page_size'],
        migrationsToRevert: ['002_create_notebook_tags', '001_create_notebook_pages'],
      });
      expect(await snapshot()).to.deep.equal(before);
    });
  });

  describe('a failed install or upgrade', () => {
    it('is reported with the step that failed, and leaves the module failed with the steps before it journaled', async () => {
      const { knex, lifecycle } = await processWith('notebook-broken');

      const error = await rejection(lifecycle.install('notebook'));

      expect(error.message).to.equal('Module "notebook": migration 003_seed_notebook_tags failed: cannot seed notebook_tags: the default labels were never defined');
      expect(await moduleRow(knex, 'notebook')).to.include({ state: 'failed' });
      expect(await journalNames(knex, 'notebook')).to.deep.equal(['001_create_notebook_pages', '002_create_notebook_tags']);
      const [status] = await lifecycle.status();
      expect(status.state).to.equal('failed');
      expect(status.failedOperation).to.include({ kind: 'install', step: '003_seed_notebook_tags' });
      expect(status.failedOperation!.error).to.contain('the default labels were never defined');
      expect(await lifecycle.installedNames()).to.not.include('notebook');
      // Nothing else runs over it until someone decides.
      expect((await rejection(lifecycle.install('notebook'))).message).to.match(/"notebook" was left half-way by a failed or interrupted install or upgrade; run "tessera module resume notebook" or "tessera module rollback notebook"/);
    });

    it('resumes from the failed step once the migration is fixed, without running the earlier steps again', async () => {
      // A copy of the broken module, so the test can fix its migration as the integrator would.
      const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-resume-')), 'notebook');
      fs.cpSync(path.join(FIXTURES, 'notebook-broken'), dir, { recursive: true });
      try {
        const first = await processWithDirs([dir]);
        await rejection(first.lifecycle.install('notebook'));
        const stepsBefore = await journal(first.knex, 'notebook');
        const failedOperationId = stepsBefore[0].operation_id;

        const fixedFile = path.join(dir, 'migrations', '003_seed_notebook_tags.ts');
        fs.writeFileSync(
          fixedFile,
          `import type { Knex } from 'knex';
export async function up(knex: Knex): Promise<void> {
  await knex('notebook_tags').insert([{ label: 'todo' }, { label: 'done' }]);
}
export async function down(knex: Knex): Promise<void> {
  await knex('notebook_tags').whereIn('label', ['todo', 'done']).delete();
}
`,
        );
        delete require.cache[fixedFile]; // `tessera module resume` runs in a new process, which reads the fixed file
        const second = await processWithDirs([dir]);
        await second.lifecycle.resume('notebook');

        const steps = await journal(second.knex, 'notebook');
        expect(steps.map((s) => s.name)).to.deep.equal(['001_create_notebook_pages', '002_create_notebook_tags', '003_seed_notebook_tags']);
        expect(steps.slice(0, 2)).to.deep.equal(stepsBefore, 'the steps applied before the failure are not run again');
        expect(steps[2].operation_id).to.equal(failedOperationId, 'the resumed steps belong to the same operation');
        expect(await second.knex('notebook_tags').orderBy('label').pluck('label')).to.deep.equal(['done', 'todo']);
        expect(await moduleRow(second.knex, 'notebook')).to.include({ version: '1.1.0', state: 'installed' });
        const ops = await operations(second.knex, 'notebook');
        expect(ops.map((o: any) => [o.kind, o.status])).to.deep.equal([['install', 'done']]);
        expect(await owned(second.knex, 'notebook', 'permission')).to.deep.equal(['notebook.page.read', 'notebook.tag.manage']);
      } finally {
        fs.rmSync(path.dirname(dir), { recursive: true, force: true });
      }
    });

    it('rolled back after a failed install, leaves nothing behind', async () => {
      const { knex, lifecycle } = await processWith('notebook-broken');
      await rejection(lifecycle.install('notebook'));

      await lifecycle.rollback('notebook');

      expect(await knex.schema.hasTable('notebook_pages')).to.equal(false);
      expect(await knex.schema.hasTable('notebook_tags')).to.equal(false);
      expect(await journalNames(knex, 'notebook')).to.deep.equal([]);
      expect(await knex('core_module_ownership').where({ module: 'notebook' })).to.deep.equal([]);
      expect(await moduleRow(knex, 'notebook')).to.include({ state: 'uninstalled' });
      expect((await operations(knex, 'notebook')).map((o: any) => o.status)).to.deep.equal(['rolled_back']);
    });

    it('rolled back after a failed upgrade, reverts only the steps that upgrade applied and puts the old version back', async () => {
      const v1 = await processWith('notebook-v1');
      await v1.lifecycle.install('notebook');
      await v1.knex('notebook_pages').insert({ title: 'written under 1.0.0' });
      const broken = await processWith('notebook-broken');
      const error = await rejection(broken.lifecycle.upgrade('notebook'));
      expect(error.message).to.contain('migration 003_seed_notebook_tags failed');
      expect(await journalNames(broken.knex, 'notebook')).to.deep.equal(['001_create_notebook_pages', '002_create_notebook_tags']);

      await broken.lifecycle.rollback('notebook');

      expect(await journalNames(broken.knex, 'notebook')).to.deep.equal(['001_create_notebook_pages']);
      expect(await broken.knex.schema.hasTable('notebook_tags')).to.equal(false);
      expect(await broken.knex('notebook_pages').pluck('title')).to.deep.equal(['written under 1.0.0']);
      expect(await moduleRow(broken.knex, 'notebook')).to.include({ version: '1.0.0', state: 'installed' });
      expect(await owned(broken.knex, 'notebook', 'table')).to.deep.equal(['notebook_pages']);
      expect(await owned(broken.knex, 'notebook', 'permission')).to.deep.equal(['notebook.page.read']);
      expect((await operations(broken.knex, 'notebook')).map((o: any) => [o.kind, o.status])).to.deep.equal([
        ['install', 'done'],
        ['upgrade', 'rolled_back'],
      ]);
    });

    it('keeps the failed module, and the modules that depend on it, out of the running ones until it is settled', async () => {
      const v1 = await processWith('notebook-v1', 'annotate');
      await v1.lifecycle.install('annotate');
      expect([...(await v1.lifecycle.installedNames())]).to.deep.equal(['notebook', 'annotate']);

      const broken = await processWith('notebook-broken', 'annotate');
      await rejection(broken.lifecycle.upgrade('notebook'));

      expect(await moduleRow(broken.knex, 'annotate')).to.include({ state: 'installed' });
      expect([...(await broken.lifecycle.installedNames())]).to.deep.equal([], 'annotate does not run without notebook');

      await broken.lifecycle.rollback('notebook');
      expect([...(await broken.lifecycle.installedNames())]).to.deep.equal(['notebook', 'annotate']);
    });

    it('cannot be resumed or rolled back when nothing failed', async () => {
      const { lifecycle } = await processWith('notebook-v1');
      await lifecycle.install('notebook');
      expect((await rejection(lifecycle.resume('notebook'))).message).to.match(/no failed install or upgrade/);
      expect((await rejection(lifecycle.rollback('notebook'))).message).to.match(/no failed install or upgrade/);
    });
  });

  describe('two processes at once', () => {
    it('never migrate at the same time: one installs, the other finds the module installed, and each migration is journaled once', async () => {
      const a = await processWith('notebook-v1');
      const b = await processWith('notebook-v1');
      const migrating: Array<{ who: string; start: number; end: number }> = [];
      for (const [who, lifecycle] of [['a', a.lifecycle], ['b', b.lifecycle]] as const) {
        const up = lifecycle.migrator.up.bind(lifecycle.migrator);
        lifecycle.migrator.up = async (...args) => {
          const start = Date.now();
          // A slow migration, so that without the lock the other process would start in the middle of it.
          await new Promise((resolve) => setTimeout(resolve, 300));
          try {
            return await up(...args);
          } finally {
            migrating.push({ who, start, end: Date.now() });
          }
        };
      }

      const results = await Promise.all([a.lifecycle.install('notebook'), b.lifecycle.install('notebook')]);

      expect(results.map((r) => r.join(',')).sort()).to.deep.equal(['', 'notebook']);
      expect(migrating).to.have.length(1, 'only one process ran the migrations');
      expect(await journalNames(a.knex, 'notebook')).to.deep.equal(['001_create_notebook_pages']);
      expect(await operations(a.knex, 'notebook')).to.have.length(1);
      expect(await a.knex('core_locks').select()).to.deep.equal([], 'the lock is released');
    });

    it('starting together on an empty database, migrate the core once', async () => {
      const knexes = [openDatabase(database.url, ROOT_DIR), openDatabase(database.url, ROOT_DIR)];
      opened.push(...knexes);
      const lifecycles = knexes.map((knex) => new ModuleLifecycle(knex, [], coreMigrationsDir()));

      await Promise.all(lifecycles.map((l) => l.migrateCore()));

      const coreSteps = await knexes[0]('core_migrations').where({ module: 'core' }).orderBy('name').pluck('name');
      expect(coreSteps).to.deep.equal(fs.readdirSync(coreMigrationsDir()).map((f) => f.replace(/\.ts$/, '')).sort());
    });
  });
});
