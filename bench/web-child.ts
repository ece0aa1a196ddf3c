/**
 * A web process of its own for the HTTP side of a bench, as `tessera serve` runs one beside others on
 * MariaDB + Redis: it boots the kernel on an existing database, listens on a free port, relays the
 * outbox (jobs run in workers, not here), prints `{"url": ...}` and runs until its parent ends it.
 * The bench's own HTTP clients then spend their CPU in the parent, not in the server's event loop.
 */
import { Kernel } from '../core/kernel/kernel';

async function main(): Promise<void> {
  const databaseUrl = process.env.BENCH_WEB_DATABASE_URL;
  if (!databaseUrl) throw new Error('BENCH_WEB_DATABASE_URL is required');
  const kernel = await Kernel.boot({
    autoMigrate: false,
    config: { instanceName: process.env.BENCH_WEB_INSTANCE || 'tessera-bench', databaseUrl, redisUrl: process.env.REDIS_URL || null, logLevel: 'silent' },
  });
  const { url } = await kernel.listen(0);
  process.stdout.write(JSON.stringify({ url }) + '\n');
  const stop = () => void kernel.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The parent going away closes stdin: nothing is left running after a bench that died.
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
