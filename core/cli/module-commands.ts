import path from 'node:path';
import type { Command } from 'commander';
import { ROOT_DIR } from '../config/load-config';
import { withHost, print } from './host';
import { scaffoldModule } from './scaffold-module';

export function registerModuleCommands(program: Command): void {
  const module = program.command('module').description('list, install, upgrade, uninstall or scaffold modules');

  module
    .command('list')
    .description('every module found, with its version and state')
    .action(async () => {
      await withHost(async ({ lifecycle }) => {
        const rows = await lifecycle.status();
        print(['name'.padEnd(16), 'version'.padEnd(10), 'installed'.padEnd(10), 'state'.padEnd(12), 'pending'].join(' '));
        for (const s of rows) {
          print([s.name.padEnd(16), s.version.padEnd(10), (s.installedVersion ?? '-').padEnd(10), s.state.padEnd(12), String(s.pendingMigrations.length)].join(' '));
          if (s.failedOperation) print(`  ! ${s.failedOperation.kind} failed at ${s.failedOperation.step}: ${s.failedOperation.error}`);
        }
      });
    });

  module
    .command('install <name>')
    .description('install a module and the dependencies it lacks')
    .action(async (name: string) => {
      await withHost(async ({ lifecycle }) => {
        const done = await lifecycle.install(name);
        print(done.length ? `installed: ${done.join(', ')}` : `${name} is already installed`);
      });
    });

  module
    .command('upgrade <name>')
    .description("run the new version's pending migrations")
    .action(async (name: string) => {
      await withHost(async ({ lifecycle }) => {
        await lifecycle.upgrade(name);
        print(`upgraded: ${name}`);
      });
    });

  module
    .command('uninstall <name>')
    .description('uninstall a module; its tables and rows are kept unless --drop-data')
    .option('--drop-data', 'revert every migration of the module, dropping its tables')
    .option('--dry-run', 'print the plan and change nothing')
    .action(async (name: string, options: { dropData?: boolean; dryRun?: boolean }) => {
      await withHost(async ({ lifecycle }) => {
        const plan = await lifecycle.planUninstall(name, options.dropData === true);
        if (options.dryRun) {
          print(`Plan: uninstall ${name}${plan.dropData ? ' and DROP its data' : ' (data kept)'}`);
          if (plan.blockedBy.length) print(`  refused: installed modules depend on it: ${plan.blockedBy.join(', ')}`);
          print(`  tables (${plan.dropData ? 'dropped' : 'kept'}): ${plan.tables.join(', ') || '-'}`);
          print(`  permissions removed: ${plan.permissions.join(', ') || '-'}`);
          print(`  menus removed: ${plan.menus.join(', ') || '-'}`);
          print(`  slots removed: ${plan.slots.join(', ') || '-'}`);
          print(`  settings ${plan.dropData ? 'deleted' : 'kept'}: ${plan.settings.join(', ') || '-'}`);
          if (plan.dropData) print(`  migrations reverted: ${plan.migrationsToRevert.join(', ') || '-'}`);
          return;
        }
        await lifecycle.uninstall(name, { dropData: options.dropData });
        print(`uninstalled: ${name}${options.dropData ? ' (data dropped)' : ' (data kept)'}`);
      });
    });

  module
    .command('resume <name>')
    .description('continue a failed install or upgrade from the step that failed')
    .action(async (name: string) => {
      await withHost(async ({ lifecycle }) => {
        await lifecycle.resume(name);
        print(`resumed: ${name} is installed`);
      });
    });

  module
    .command('rollback <name>')
    .description('revert what a failed install or upgrade applied')
    .action(async (name: string) => {
      await withHost(async ({ lifecycle }) => {
        await lifecycle.rollback(name);
        print(`rolled back: ${name}`);
      });
    });

  module
    .command('new <name>')
    .description('scaffold a working module (manifest, migration, permission, page, test)')
    .option('--dir <folder>', 'where to create it (an integrator folder); default modules/')
    .action(async (name: string, options: { dir?: string }) => {
      const created = scaffoldModule(name, options.dir);
      print(`created ${created.dir}`);
      for (const file of created.files) print(`  ${file}`);
      // Its tests run from anywhere: tessera/core and tessera/testing resolve to this install.
      print(`run its tests: node ${path.join(ROOT_DIR, 'bin', 'tessera.js')} test ${created.dir}`);
    });
}
