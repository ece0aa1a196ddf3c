/**
 * Where a notification's time goes, counted rather than timed (the machine is shared): the SQL
 * statements and Redis commands per notification from `notify` to sent, by statement shape, while
 * MSG_PROFILE_NOTIFICATIONS (default 200) notifications go through the kernel's queue.
 * `node -r tsx/cjs bench/messaging-profile.ts`; DATABASE_URL and REDIS_URL as for the bench.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { Kernel } from '../core/kernel/kernel';
import { createTestDatabase } from '../test/support/test-database';
import { CRM, type CustomerService } from '../modules/crm/api';
import { MESSAGING, type NotifyService } from '../modules/messaging/api';

const N = Number(process.env.MSG_PROFILE_NOTIFICATIONS ?? 200);
const PRODUCERS = Number(process.env.MSG_PROFILE_PRODUCERS ?? 8);

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Redis = require('ioredis') as { prototype: { sendCommand(cmd: { name: string; args: unknown[] }): unknown } };
  const redis = new Map<string, number>();
  let counting = false;
  const send = Redis.prototype.sendCommand;
  Redis.prototype.sendCommand = function (this: unknown, cmd: { name: string; args: unknown[] }) {
    if (counting) {
      const key = cmd.name === 'evalsha' || cmd.name === 'eval' ? `${cmd.name} (${String(cmd.args[1])} keys)` : cmd.name;
      redis.set(key, (redis.get(key) ?? 0) + 1);
    }
    return send.call(this, cmd);
  };
  const database = await createTestDatabase();
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"accepted"}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  const admin = { email: 'admin@profile.bench', password: 'messaging-profile-password' };
  const kernel = await Kernel.boot({ config: { instanceName: `msg-prof-${crypto.randomBytes(3).toString('hex')}`, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin, logLevel: 'silent', demo: false, modulesPath: [] } });
  const sql = new Map<string, number>();
  // How long each shape waits for its answer, summed: where the wall time goes.
  const waited = new Map<string, number>();
  const inFlight = new Map<string, { shape: string; at: number }>();
  const shapeOf = (text: string) => text.replace(/\s+/g, ' ').replace(/\((\?, ?)+\?\)/g, '(?…)').replace(/(\(\?…\), ?)+\(\?…\)/g, '(?…)…').slice(0, 140);
  kernel.knex.on('query', (q: { sql: string; __knexQueryUid: string }) => {
    if (!counting) return;
    const shape = shapeOf(q.sql);
    sql.set(shape, (sql.get(shape) ?? 0) + 1);
    inFlight.set(q.__knexQueryUid, { shape, at: performance.now() });
  });
  const answered = (_: unknown, q: { __knexQueryUid: string }) => {
    const started = inFlight.get(q.__knexQueryUid);
    if (!started) return;
    inFlight.delete(q.__knexQueryUid);
    waited.set(started.shape, (waited.get(started.shape) ?? 0) + performance.now() - started.at);
  };
  kernel.knex.on('query-response', answered);
  // Time spent waiting for a pool connection, in total.
  let acquireWait = 0;
  const acquiring = new Map<number, number>();
  const pool = (kernel.knex.client as { pool?: { on(event: string, f: (id: number) => void): void } }).pool;
  pool?.on('acquireRequest', (id) => counting && acquiring.set(id, performance.now()));
  pool?.on('acquireSuccess', (id) => {
    const at = acquiring.get(id);
    if (at !== undefined) acquireWait += performance.now() - at;
    acquiring.delete(id);
  });
  kernel.knex.on('query-error', answered);
  try {
    await kernel.startJobs();
    const knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: admin.email }).first('id')).id);
    const ctx = await kernel.contexts.forUser(adminId, companyId);
    const shop = await kernel.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: 'MSGP', name: 'Profile shop' });
    const customer = await kernel.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: 'Ann', last_name: 'Profile', shop_id: shop.id, phone: '+442079460123' });
    await kernel.container.get<any>(Symbol.for('messaging.channel')).create(ctx, { channel: 'sms', endpoint: gateway, secret: 'profile' });
    const notify = kernel.container.get<NotifyService>(MESSAGING.Notify);
    await new Promise((r) => setTimeout(r, 1500));
    counting = true;
    const profiler = process.env.MSG_PROFILE_CPU ? await startProfiler() : null;
    const cpu = process.cpuUsage();
    const wall = Date.now();
    let next = 0;
    await Promise.all(Array.from({ length: PRODUCERS }, async () => {
      while (next < N) {
        const i = next++;
        await notify.send(ctx.db, { template: 'messaging.birthday', customerId: customer.id, channel: 'sms', data: {}, dedupeKey: `p-${i}` });
      }
    }));
    const queuedMs = Date.now() - wall;
    // The queue drains; the check itself is not counted.
    for (;;) {
      counting = false;
      const sent = Number((await knex('messaging_notifications').where({ status: 'sent' }).count({ n: '*' }).first())?.n);
      counting = true;
      if (sent >= N) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    counting = false;
    const used = process.cpuUsage(cpu);
    if (profiler) await profiler(process.env.MSG_PROFILE_CPU!);
    process.stdout.write(`queued in ${queuedMs} ms; wall ${Date.now() - wall} ms, node cpu ${((used.user + used.system) / 1000).toFixed(0)} ms\n`);
    const jobs = Number((await knex('core_jobs').count({ n: '*' }).first())?.n);
    // Jobs that needed more than one run, and why: each one is a run, a claim and an outcome more.
    for (const row of await knex('core_jobs').where('attempts', '>', 1).orWhereNotNull('error').select('name', 'attempts', 'status', 'error')) {
      process.stdout.write(`retried: ${row.name} ${row.status} after ${row.attempts} attempts: ${String(row.error ?? '').split('\n')[0]}\n`);
    }
    const total = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const show = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `  ${(v / N).toFixed(2).padStart(6)}  ${waited.has(k) ? `${(waited.get(k)! / v).toFixed(1).padStart(5)} ms  ` : ''}${k}`).join('\n');
    process.stdout.write(`notifications ${N}, ledger jobs ${jobs}, queue ${kernel.queue.kind}; waiting for a pool connection: ${(acquireWait / N).toFixed(1)} ms per notification\n`);
    process.stdout.write(`SQL statements per notification: ${(total(sql) / N).toFixed(2)}\n${show(sql)}\n`);
    process.stdout.write(`Redis commands per notification: ${(total(redis) / N).toFixed(2)}\n${show(redis)}\n`);
  } finally {
    if (kernel.queue.kind === 'bull') await (kernel.queue as any).obliterate?.().catch(() => undefined);
    await kernel.close();
    server.close();
    await database.drop();
  }
}

/** A CPU profile of the counted phase alone (MSG_PROFILE_CPU=<file>), for chrome devtools. */
async function startProfiler(): Promise<(file: string) => Promise<void>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const inspector = require('node:inspector') as typeof import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => session.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async (file) => {
    const { profile } = await post('Profiler.stop');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('node:fs').writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
