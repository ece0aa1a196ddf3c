/**
 * `npm run bench`: start-up time and the cost of the core on a list page. One figure a line,
 * `name: value unit`, the last line being `page/plain ratio: R`.
 *
 * Database: a temporary SQLite file, or with DATABASE_URL (mysql://...) a fresh MariaDB/MySQL database
 * on that server, dropped at the end. REDIS_URL, when set, gives the kernel its bull queue.
 *
 * Knobs (environment):
 *   BENCH_PAGE=auto|crm|alpha   which list page (auto: crm's customers if modules/crm boots, else the fixture alpha)
 *   BENCH_DURATION=10           seconds of load per handler            BENCH_WARMUP=3   seconds of warm-up per handler
 *   BENCH_ROUNDS=2              the load comes in alternating slices (page, plain, plain, page, ...)
 *   BENCH_CONNECTIONS=10        concurrent connections                 BENCH_ROWS=50    rows on the page
 *   BENCH_RESTARTS=5            restarts whose median is `startup`     BENCH_SKIP_STARTUP=1  page figures only
 *   BENCH_SKIP_MESSAGING=1      leave out bench/messaging-bench.ts
 *   BENCH_SKIP_CRM=1            leave out bench/crm-bench.ts          BENCH_SKIP_LIST=1 leave out bench/list-bench.ts           BENCH_TIMEOUT=1200 seconds before the run gives up (exit 1)
 *   BENCH_SKIP_BILLING=1        leave out bench/billing-bench.ts
 *   BENCH_SKIP_SCHEMES=1        leave out bench/schemes-bench.ts
 *   BENCH_SKIP_LOYALTY=1        leave out bench/loyalty-points-bench.ts and bench/loyalty-bench.ts
 *   BENCH_SKIP_GOLD=1           leave out bench/gold-bench.ts (gold saving schemes; GOLD_BENCH_PLANS=100000)
 *   BENCH_SKIP_CARDS=1          leave out bench/loyalty-cards-bench.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { createTestDatabase, TestDatabase } from '../test/support/test-database';
import { bootInChild, median, plainServerInChild, serveInChild, BootSample, ServeSample } from './startup';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compiledHost } = require('../bin/compiled-host') as { compiledHost(): { main?: string; reason?: string } };
import { runPageBench } from './page-bench';
import { BENCH_ADMIN } from './session';
import { alphaTarget, crmEntryExists, crmTarget, FIXTURE_MODULES, PageTarget, REAL_MODULES } from './targets';

const settings = {
  page: (process.env.BENCH_PAGE ?? 'auto') as 'auto' | 'crm' | 'alpha',
  durationSeconds: positive('BENCH_DURATION', 10),
  rounds: positive('BENCH_ROUNDS', 2),
  warmupSeconds: positive('BENCH_WARMUP', 3),
  connections: positive('BENCH_CONNECTIONS', 10),
  rows: positive('BENCH_ROWS', 50),
  restarts: positive('BENCH_RESTARTS', 5),
  skipStartup: process.env.BENCH_SKIP_STARTUP === '1',
  skipCrm: process.env.BENCH_SKIP_CRM === '1',
  skipMessaging: process.env.BENCH_SKIP_MESSAGING === '1',
  timeoutSeconds: positive('BENCH_TIMEOUT', 1200),
};

const print = (line: string) => process.stdout.write(line + '\n');
const ms = (value: number) => `${Math.round(value)} ms`;

/** The bench's installation name: its bull keys are `tessera:<name>:...`. */
const queuePrefix = `bench-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
const databases: TestDatabase[] = [];
/** The last line, known once the page bench ran; printed even when the run is cut short after it. */
let ratioLine: string | null = null;

/** Drops the databases made so far and the bull keys of the start-up children; safe to call twice. */
async function cleanUp(): Promise<void> {
  for (const db of databases.splice(0)) await db.drop().catch(() => undefined);
  await clearRedis(`tessera:${queuePrefix}`);
}

async function main(): Promise<void> {
  const fresh = async () => {
    const db = await createTestDatabase();
    databases.push(db);
    return db;
  };
  try {
    const database = await fresh();
    print(`database: ${database.url.startsWith('sqlite:') ? 'sqlite (temporary file)' : 'mysql/mariadb (fresh database)'}${process.env.REDIS_URL ? ', queue: bull on redis' : ', queue: local'}`);

    // 1. Start-up with every module of modules/: first start on an empty database, then restarts.
    let realModulesBoot = true;
    let startedModules: string[] = [];
    if (!settings.skipStartup) {
      try {
        const first = await bootInChild({ databaseUrl: database.url, queuePrefix });
        startedModules = first.modules;
        print(`modules: ${first.modules.join(', ')}`);
        print(`first start (migrate + seed): ${ms(first.listenMs)}`);
        const samples: BootSample[] = [];
        for (let i = 0; i < settings.restarts; i++) samples.push(await bootInChild({ databaseUrl: database.url, queuePrefix }));
        print(`startup: ${ms(median(samples.map((s) => s.listenMs)))}`);
        print(`startup, Kernel.boot only: ${ms(median(samples.map((s) => s.bootMs)))}`);
        print(`startup, process start to listening: ${ms(median(samples.map((s) => s.processMs)))}`);
        await printServeStartup(database.url);
      } catch (error) {
        realModulesBoot = false;
        print(`startup: failed with the modules of modules/ (${firstLine(error)})`);
        process.exitCode = 1;
      }
    }

    // 2. The list page through the core against the same template in a plain express handler.
    const target = chooseTarget(realModulesBoot, startedModules);
    // A failed boot may leave a half-migrated database: the fallback gets a new one.
    const pageDatabase = realModulesBoot ? database : await fresh();
    const result = await runPageBench({
      databaseUrl: pageDatabase.url,
      modulesDir: realModulesBoot ? REAL_MODULES : FIXTURE_MODULES,
      target,
      admin: BENCH_ADMIN,
      queuePrefix,
      rows: settings.rows,
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
      rounds: settings.rounds,
      warmupSeconds: settings.warmupSeconds,
      print,
    });

    ratioLine = `page/plain ratio: ${result.ratio.toFixed(2)}`;
    // The page bench's database is done with: drop it before crm's own (longer) bench starts.
    await cleanUp();

    // schemes' figures: payments with pay plans and bundles against billing's plain posting (own database).
    const schemesBench = path.join(__dirname, 'schemes-bench.ts');
    if (fs.existsSync(schemesBench) && process.env.BENCH_SKIP_SCHEMES !== '1') {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runSchemesBench } = require(schemesBench) as { runSchemesBench(print: (line: string) => void): Promise<void> };
        await runSchemesBench(print);
      } catch (error) {
        print(`schemes bench: failed (${firstLine(error)})`);
        process.exitCode = 1;
      }
    }

    // loyalty's figures: the points liability report at a million customers, spends from prepaid balances.
    await moduleBench('loyalty points', 'loyalty-points-bench.ts', 'runLoyaltyPointsBench', 'BENCH_SKIP_LOYALTY');
    await moduleBench('loyalty balance', 'loyalty-bench.ts', 'runLoyaltyBench', 'BENCH_SKIP_LOYALTY');
    // schemes' gold saving schemes: the missed-payment job, the missed report and instalments over HTTP (own database).
    await moduleBench('gold', 'gold-bench.ts', 'runGoldBench', 'BENCH_SKIP_GOLD');

    // 3. crm's own figures, when its engineer provides them (it makes and drops its own database).
    const crmBench = path.join(__dirname, 'crm-bench.ts');
    if (fs.existsSync(crmBench) && !settings.skipCrm) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runCrmBench } = require(crmBench) as { runCrmBench(print: (line: string) => void): Promise<void> };
        await runCrmBench(print);
      } catch (error) {
        print(`crm bench: failed (${firstLine(error)})`);
        process.exitCode = 1;
      }
    }

    // 4. messaging's figures (its own database; notifications against raw bull, the month calendar).
    const messagingBench = path.join(__dirname, 'messaging-bench.ts');
    if (fs.existsSync(messagingBench) && !settings.skipMessaging) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runMessagingBench } = require(messagingBench) as { runMessagingBench(print: (line: string) => void): Promise<void> };
        await runMessagingBench(print);
      } catch (error) {
        print(`messaging bench: failed (${firstLine(error)})`);
        process.exitCode = 1;
      }
    }

    // 5. Lists: the customer page with its count at a million customers, beside the raw SQL.
    if (process.env.BENCH_SKIP_LIST !== '1' && fs.existsSync(path.join(__dirname, '..', 'modules', 'crm'))) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runListBench } = require('./list-bench') as { runListBench(print: (line: string) => void): Promise<void> };
        await runListBench(print);
      } catch (error) {
        print(`list bench: failed (${firstLine(error)})`);
        process.exitCode = 1;
      }
    }

    // 6. billing's figures (its own database, dropped at the end).
    if (process.env.BENCH_SKIP_BILLING !== '1') {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runBillingBench } = require('./billing-bench') as { runBillingBench(print: (line: string) => void): Promise<void> };
        await runBillingBench(print);
      } catch (error) {
        print(`billing bench: failed (${firstLine(error)})`);
        process.exitCode = 1;
      }
    }

    // 7. loyalty cards' figures: scanner throughput over HTTP against the raw guarded update, RFM at scale (own database).
    if (process.env.BENCH_SKIP_CARDS !== '1' && fs.existsSync(path.join(__dirname, 'loyalty-cards-bench.ts'))) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { runLoyaltyCardsBench } = require('./loyalty-cards-bench') as { runLoyaltyCardsBench(print: (line: string) => void): Promise<void> };
        await runLoyaltyCardsBench(print);
      } catch (error) {
        print(`loyalty cards bench: failed (${firstLine(error)})`);
        process.exitCode = 1;
      }
    }

    print(ratioLine);
    ratioLine = null;
  } finally {
    await cleanUp();
  }
}

/** What `npm start` costs: `tessera serve` from process start to listening, compiled and from the sources. */
async function printServeStartup(databaseUrl: string): Promise<void> {
  const serve = async (sources: boolean) => {
    const samples: ServeSample[] = [];
    for (let i = 0; i < settings.restarts; i++) samples.push(await serveInChild({ databaseUrl, sources }));
    return median(samples.map((s) => s.startMs));
  };
  const plain: number[] = [];
  for (let i = 0; i < settings.restarts; i++) plain.push(await plainServerInChild());
  print(`startup, plain node http server (baseline), process start to listening: ${ms(median(plain))}`);
  const compiled = compiledHost();
  if (compiled.main) print(`startup, tessera serve (compiled), process start to listening: ${ms(await serve(false))}`);
  else print(`startup, tessera serve (compiled): not measured, ${compiled.reason} (npm run build)`);
  print(`startup, tessera serve (sources through tsx), process start to listening: ${ms(await serve(true))}`);
}

function chooseTarget(realModulesBoot: boolean, startedModules: string[]): PageTarget {
  if (settings.page === 'alpha') return alphaTarget;
  if (settings.page === 'crm') return crmTarget;
  const crmRuns = realModulesBoot && crmEntryExists() && (settings.skipStartup || startedModules.includes('crm'));
  return crmRuns ? crmTarget : alphaTarget;
}

/** Bull keys left by the start-up children (the in-process kernel obliterates its own queues). */
async function clearRedis(prefix: string): Promise<void> {
  if (!process.env.REDIS_URL) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Redis = require('ioredis') as typeof import('ioredis').default;
  const redis = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Leftover keys under a unique prefix are harmless.
  } finally {
    redis.disconnect();
  }
}

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0];
}

const watchdog = setTimeout(() => {
  process.stderr.write(`bench: gave up after ${settings.timeoutSeconds} s\n`);
  if (ratioLine) {
    print(`crm bench: unfinished after ${settings.timeoutSeconds} s (BENCH_TIMEOUT)`);
    print(ratioLine);
  }
  // Drop what this run made (crm's bench drops its own only when it finishes), then leave.
  const forced = setTimeout(() => process.exit(1), 15_000);
  forced.unref();
  void cleanUp().finally(() => process.exit(1));
}, settings.timeoutSeconds * 1000);
watchdog.unref();

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);

/** A module's bench file (its own database, its own figures), unless its knob leaves it out; a failure is printed and fails the run. */
async function moduleBench(label: string, file: string, exported: string, skipKnob: string): Promise<void> {
  const bench = path.join(__dirname, file);
  if (!fs.existsSync(bench) || process.env[skipKnob] === '1') return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const run = (require(bench) as Record<string, (print: (line: string) => void) => Promise<void>>)[exported];
    await run(print);
  } catch (error) {
    print(`${label} bench: failed (${firstLine(error)})`);
    process.exitCode = 1;
  }
}

