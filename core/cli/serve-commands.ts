import type { Command } from 'commander';
import { Kernel } from '../kernel/kernel';
import { withHost, print, redact, checkDatabase } from './host';
import { loadConfig } from '../config/load-config';
import { RUNS_COMPILED } from '../modules/code-loader';
import { performance } from 'node:perf_hooks';

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description('start the back office (and, without REDIS_URL, the jobs) on PORT')
    .action(async () => {
      await checkDatabase(loadConfig());
      const kernel = await Kernel.boot();
      const { url } = await kernel.listen();
      kernel.logger.info(
        { url, database: redact(kernel.config.databaseUrl), queue: kernel.queue.kind, code: RUNS_COMPILED ? 'compiled' : 'sources', bootMs: Math.round(kernel.bootMs), startMs: Math.round(kernel.listeningMs || performance.now()), readyMs: Math.round(performance.now()) },
        'Tessera is listening',
      );
      print(`Tessera is up on ${url} (sign in as ${kernel.config.admin.email})`);
      stopOnSignal(() => kernel.close());
    });

  program
    .command('worker')
    .description('run jobs and the event outbox (with REDIS_URL: as many workers as you like)')
    .action(async () => {
      await checkDatabase(loadConfig());
      const kernel = await Kernel.boot({ runJobs: true });
      await kernel.startJobs();
      kernel.logger.info({ queue: kernel.queue.kind }, 'worker running');
      stopOnSignal(() => kernel.close());
    });

  program
    .command('migrate')
    .description('migrate core, install new modules and upgrade installed ones with pending migrations')
    .action(async () => {
      await withHost(async ({ lifecycle }) => {
        const report = await lifecycle.autoMigrate();
        print(`installed: ${report.installed.join(', ') || '-'}`);
        print(`upgraded: ${report.upgraded.join(', ') || '-'}`);
        if (report.skipped.length) {
          throw new Error(`failed modules need "module resume" or "module rollback": ${report.skipped.join(', ')}`);
        }
      });
    });
}

function stopOnSignal(close: () => Promise<void>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void close().finally(() => process.exit(0));
    });
  }
}
