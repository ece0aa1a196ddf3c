import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { coreMigrationsDir } from '../../../core/kernel/kernel';
import { ModuleLifecycle } from '../../../core/modules/lifecycle';
import { lifecycleDatabase, rejection, FIXTURES } from './lifecycle-support';

describe('module lifecycle: failed steps (resume, rollback) and two processes at once', () => {
  const { processWith, processWithDirs, connection, journal, journalNames, moduleRow, owned, operations } = lifecycleDatabase();

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
      const knexes = [connection(), connection()];
      const lifecycles = knexes.map((knex) => new ModuleLifecycle(knex, [], coreMigrationsDir()));

      await Promise.all(lifecycles.map((l) => l.migrateCore()));

      const coreSteps = await knexes[0]('core_migrations').where({ module: 'core' }).orderBy('name').pluck('name');
      expect(coreSteps).to.deep.equal(fs.readdirSync(coreMigrationsDir()).map((f) => f.replace(/\.ts$/, '')).sort());
    });
  });
});
