import { builtInModules } from '../../support/built-in-modules';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../../core/db/connection';
import { ROOT_DIR } from '../../../core/config/load-config';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { tessera, startTessera, shown } from './run-cli';

const LIFECYCLE_FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'lifecycle');

/** Everything the module host records, to prove a command changed nothing. */
async function hostState(knex: Knex) {
  return {
    modules: await knex('core_modules').orderBy('name').select(),
    ownership: await knex('core_module_ownership').orderBy('id').select(),
    journal: await knex('core_migrations').orderBy('id').select(),
    operations: await knex('core_module_operations').orderBy('id').select(),
    crmCustomersTable: await knex.schema.hasTable('crm_customers'),
  };
}

describe('CLI: tessera migrate and tessera module …', function () {
  this.timeout(120_000);

  describe('with the built-in modules', () => {
    let database: TestDatabase;
    let knex: Knex;
    let env: Record<string, string>;

    before(async () => {
      database = await createTestDatabase();
      env = { DATABASE_URL: database.url, TESSERA_MODULES_PATH: '' };
      const migrate = await tessera(['migrate'], env);
      expect(migrate.code, shown(migrate)).to.equal(0);
      expect(migrate.lines[0]).to.match(/^installed: base, crm/);
      knex = openDatabase(database.url, ROOT_DIR);
    });
    after(async () => {
      await knex?.destroy();
      await database?.drop();
    });

    it('module list prints every module with its version and state', async () => {
      const list = await tessera(['module', 'list'], env);

      expect(list.code, shown(list)).to.equal(0);
      const rows = list.lines.slice(1).map((line) => line.trim().split(/\s+/));
      const row = (name: string) => rows.find((r) => r[0] === name);
      for (const name of ['base', 'crm']) {
        const { version } = require(path.join(ROOT_DIR, 'modules', name, 'manifest.json'));
        expect(row(name), shown(list)).to.deep.equal([name, version, version, 'installed', '0']);
      }
      expect(list.lines[0].trim().split(/\s+/)).to.deep.equal(['name', 'version', 'installed', 'state', 'pending']);
    });

    it('module uninstall base is refused with a non-zero exit naming the modules that depend on it', async () => {
      const before = await hostState(knex);

      const result = await tessera(['module', 'uninstall', 'base'], env);

      expect(result.code, shown(result)).to.equal(1);
      const named = /^tessera: Module "base" cannot be uninstalled while these installed modules depend on it: (.+)\n$/.exec(result.stderr);
      expect(named, result.stderr).to.not.equal(null);
      expect(named![1].split(', ').sort()).to.deep.equal(builtInModules().filter((m) => m.depends.includes('base')).map((m) => m.name).sort());
      expect(await hostState(knex)).to.deep.equal(before);
    });

    it('module uninstall crm --drop-data --dry-run prints the plan, tables, permissions, menus, slots and settings, and changes nothing', async () => {
      const before = await hostState(knex);
      const crm = require(path.join(ROOT_DIR, 'modules', 'crm', 'manifest.json'));

      const result = await tessera(['module', 'uninstall', 'crm', '--drop-data', '--dry-run'], env);

      expect(result.code, shown(result)).to.equal(0);
      expect(result.lines[0]).to.equal('Plan: uninstall crm and DROP its data');
      const listed = (label: RegExp) => (result.lines.find((l) => label.test(l)) ?? '').replace(/^[^:]+:\s*/, '').split(', ');
      expect(listed(/^\s+tables \(dropped\):/)).to.include('crm_customers');
      expect(listed(/^\s+permissions removed:/)).to.deep.equal(crm.permissions.map((p: any) => p.name).sort());
      expect(listed(/^\s+menus removed:/)).to.deep.equal(crm.menus.map((m: any) => m.id).sort());
      expect(listed(/^\s+slots removed:/)).to.deep.equal([...crm.slots].sort());
      expect(listed(/^\s+settings deleted:/)).to.deep.equal(Object.keys(crm.settings.properties).map((k) => `crm.${k}`).sort());
      expect(listed(/^\s+migrations reverted:/)[0]).to.match(/^\d+_/);
      expect(await hostState(knex)).to.deep.equal(before);
      expect(await knex('core_modules').where({ name: 'crm' }).first()).to.include({ state: 'installed' });
    });
  });

  describe('with an integrator module from TESSERA_MODULES_PATH', () => {
    let database: TestDatabase;
    let knex: Knex;
    const withModule = (fixture: string) => ({ DATABASE_URL: database.url, TESSERA_MODULES_PATH: path.join(LIFECYCLE_FIXTURES, fixture) });

    before(async () => {
      database = await createTestDatabase();
      knex = openDatabase(database.url, ROOT_DIR);
    });
    after(async () => {
      await knex?.destroy();
      await database?.drop();
    });

    it('installs, upgrades, reports a failed upgrade with its step, rolls it back and uninstalls with --drop-data', async () => {
      const install = await tessera(['module', 'install', 'notebook'], withModule('notebook-v1'));
      expect(install.code, shown(install)).to.equal(0);
      expect(install.stdout).to.equal('installed: notebook\n');
      expect(await knex.schema.hasTable('notebook_pages')).to.equal(true);

      const upgrade = await tessera(['module', 'upgrade', 'notebook'], withModule('notebook-v2'));
      expect(upgrade.code, shown(upgrade)).to.equal(0);
      expect(upgrade.stdout).to.equal('upgraded: notebook\n');
      expect(await knex('core_modules').where({ name: 'notebook' }).first()).to.include({ version: '1.1.0', state: 'installed' });

      // The same version with a third migration that throws.
      const broken = await tessera(['module', 'upgrade', 'notebook'], withModule('notebook-broken'));
      expect(broken.code, shown(broken)).to.equal(1);
      expect(broken.stderr).to.equal(
        'tessera: Module "notebook": migration 003_seed_notebook_tags failed: cannot seed notebook_tags: the default labels were never defined\n',
      );

      const list = await tessera(['module', 'list'], withModule('notebook-broken'));
      expect(list.code, shown(list)).to.equal(0);
      const at = list.lines.findIndex((l) => l.startsWith('notebook '));
      expect(list.lines[at].trim().split(/\s+/)).to.deep.equal(['notebook', '1.1.0', '1.1.0', 'failed', '1']);
      expect(list.lines[at + 1]).to.equal('  ! upgrade failed at 003_seed_notebook_tags: Module "notebook": migration 003_seed_notebook_tags failed: cannot seed notebook_tags: the default labels were never defined');

      const rollback = await tessera(['module', 'rollback', 'notebook'], withModule('notebook-broken'));
      expect(rollback.code, shown(rollback)).to.equal(0);
      expect(rollback.stdout).to.equal('rolled back: notebook\n');
      expect(await knex('core_modules').where({ name: 'notebook' }).first()).to.include({ version: '1.1.0', state: 'installed' });

      const uninstall = await tessera(['module', 'uninstall', 'notebook', '--drop-data'], withModule('notebook-v2'));
      expect(uninstall.code, shown(uninstall)).to.equal(0);
      expect(uninstall.stdout).to.equal('uninstalled: notebook (data dropped)\n');
      expect(await knex.schema.hasTable('notebook_pages')).to.equal(false);
      expect(await knex.schema.hasTable('notebook_tags')).to.equal(false);
    });

    it('refuses an unknown module and a resume with nothing to resume, with a non-zero exit and the reason', async () => {
      const unknown = await tessera(['module', 'install', 'nosuch'], withModule('notebook-v1'));
      expect(unknown.code, shown(unknown)).to.equal(1);
      expect(unknown.stderr).to.match(/^tessera: No module named "nosuch" \(known: .*notebook.*\)\n$/);

      const resume = await tessera(['module', 'resume', 'crm'], withModule('notebook-v1'));
      expect(resume.code, shown(resume)).to.equal(1);
      expect(resume.stderr).to.equal('tessera: Module "crm" has no failed install or upgrade to resume or roll back\n');
    });
  });

  describe('when the process installing a module dies half-way', () => {
    let database: TestDatabase;
    let knex: Knex;
    before(async () => {
      database = await createTestDatabase();
      knex = openDatabase(database.url, ROOT_DIR);
    });
    after(async () => {
      await knex?.destroy();
      await database?.drop();
    });

    it('module list reports the interrupted step, install refuses to run over it, and module resume finishes it', async () => {
      const env = { DATABASE_URL: database.url, TESSERA_MODULES_PATH: path.join(LIFECYCLE_FIXTURES, 'notebook-stalling') };
      const { child, done } = startTessera(['module', 'install', 'notebook'], { ...env, TESSERA_TEST_STALL: '1' });
      const operation = () => knex('core_module_operations').where({ module: 'notebook' }).first().catch(() => undefined);
      for (let waited = 0; (await operation())?.step !== '002_create_notebook_tags'; waited += 100) {
        if (waited > 30_000) throw new Error(`the install never reached its second step\n${shown(await (child.kill('SIGKILL'), done))}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      child.kill('SIGKILL');
      await done;
      // Ten minutes later the dead process's lock has expired.
      await knex('core_locks').update({ expires_at: new Date(Date.now() - 1000) });

      const list = await tessera(['module', 'list'], env);
      const at = list.lines.findIndex((l) => l.startsWith('notebook '));
      expect(list.lines[at].trim().split(/\s+/), shown(list)).to.deep.equal(['notebook', '1.1.0', '1.1.0', 'installing', '1']);
      expect(list.lines[at + 1]).to.equal('  ! install failed at 002_create_notebook_tags: interrupted: the process running it stopped before it finished');

      const again = await tessera(['module', 'install', 'notebook'], env);
      expect(again.code, shown(again)).to.equal(1);
      expect(again.stderr).to.contain('run "tessera module resume notebook" or "tessera module rollback notebook"');

      const resume = await tessera(['module', 'resume', 'notebook'], env);
      expect(resume.code, shown(resume)).to.equal(0);
      expect(resume.stdout).to.equal('resumed: notebook is installed\n');
      expect(await knex('core_migrations').where({ module: 'notebook' }).orderBy('name').pluck('name')).to.deep.equal(['001_create_notebook_pages', '002_create_notebook_tags']);
      expect(await knex('core_modules').where({ name: 'notebook' }).first()).to.include({ state: 'installed', version: '1.1.0' });
      expect((await knex('core_module_operations').where({ module: 'notebook' })).map((o: any) => [o.kind, o.status])).to.deep.equal([['install', 'done']]);
    });
  });

  describe('with a bad DATABASE_URL', () => {
    it('exits non-zero with one line naming the problem', async () => {
      const unsupported = await tessera(['module', 'list'], { DATABASE_URL: 'postgres://db/tessera' });
      expect(unsupported.code, shown(unsupported)).to.equal(1);
      expect(unsupported.stderr).to.equal('tessera: Invalid configuration:\n  config databaseUrl (from DATABASE_URL): must match pattern "^(sqlite|mysql|mariadb)://"\n');

      const unreachable = await tessera(['migrate'], { DATABASE_URL: 'mysql://tessera:secret@127.0.0.1:1/tessera' });
      expect(unreachable.code, shown(unreachable)).to.equal(1);
      expect(unreachable.stdout).to.equal('');
      expect(unreachable.stderr).to.equal('tessera: cannot open the database mysql://tessera:***@127.0.0.1:1/tessera (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:1\n');
    });
  });
});
