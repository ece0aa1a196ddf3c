/**
 * One server start, in a process of its own so that nothing is warm but what a real restart has warm
 * (the OS file cache and tsx's transform cache). Spawned by bench/startup.ts; prints one JSON line:
 * `{ bootMs, listenMs, processMs }` where
 *   bootMs    Kernel.boot() start to its end (kernel.bootMs: config, database, migrations check, module
 *             loading and registration, first-start seeding),
 *   listenMs  Kernel.boot() start to the port listening (what `startup` reports),
 *   processMs process start (performance.timeOrigin) to the port listening, core imports included.
 */
import { performance } from 'node:perf_hooks';
import { Kernel } from '../core/kernel/kernel';
import { BENCH_ADMIN } from './session';

async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_CHILD_DATABASE_URL;
  if (!databaseUrl) throw new Error('BENCH_CHILD_DATABASE_URL is required');
  const started = performance.now();
  const kernel = await Kernel.boot({
    modulesDir: process.env.BENCH_CHILD_MODULES_DIR || undefined,
    config: {
      instanceName: process.env.BENCH_CHILD_QUEUE_PREFIX || 'tessera-bench',
      databaseUrl,
      redisUrl: process.env.REDIS_URL || null,
      admin: BENCH_ADMIN,
      logLevel: 'silent',
      demo: true,
    },
  });
  await kernel.listen(0);
  const listened = performance.now();
  const result = { bootMs: kernel.bootMs, listenMs: listened - started, processMs: listened, modules: kernel.installed.map((s) => s.manifest.name) };
  await kernel.close();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
