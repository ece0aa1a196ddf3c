import { expect } from 'chai';
import { lifecycleDatabase, rejection } from './lifecycle-support';

describe('module lifecycle (install, upgrade, uninstall)', () => {
  const { processWith, journal, journalNames, moduleRow, owned, operations } = lifecycleDatabase();

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

});
