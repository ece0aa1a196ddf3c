/**
 * messaging's figures for `npm run bench`, one `name: value unit` a line, each beside a raw baseline
 * measured in the same run:
 *  - notifications queued and delivered per second through Tessera (notify, its rows and job committed,
 *    the job ledger, the queue, the delivery job posting to a local HTTP gateway), against raw bull doing
 *    the same POSTs with the same worker concurrency on the same Redis, in MSG_BENCH_ROUNDS rounds of
 *    alternating slices of MSG_BENCH_NOTIFICATIONS each. Aim: ratio ≥ 0.5. Needs REDIS_URL (else the
 *    embedded queue is measured and the raw bull line says why it is missing). Beside it, the CPU each
 *    side used per notification (this process, which also runs the workers and the gateway; the
 *    database server and Redis when /proc shows them, shared with whatever else uses them meanwhile).
 *  - the month calendar of a company with 100,000 appointments (MSG_BENCH_APPOINTMENTS): the service,
 *    the whole page over HTTP (timed at the client), against a raw GROUP BY over the appointments.
 *    Aim: p50 < 50 ms.
 * Database: a fresh one on DATABASE_URL's server (dropped at the end), else a temporary SQLite file.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Kernel } from '../core/kernel/kernel';
import { createTestDatabase } from '../test/support/test-database';
import { CRM, type CustomerService } from '../modules/crm/api';
import { MESSAGING, type AppointmentService, type NotifyService } from '../modules/messaging/api';
import { HttpGateway } from '../modules/messaging/channels/http-gateway';
import { cpuAccount, cpuProcesses } from './process-cpu';
import { loginCookie } from './session';

const ADMIN = { email: 'admin@messaging.bench', password: 'messaging-bench-password' };
const NOTIFICATIONS = Number(process.env.MSG_BENCH_NOTIFICATIONS ?? 300);
/** Senders at once, as web requests and event handlers would be; the raw baseline adds with as many. */
const PRODUCERS = Number(process.env.MSG_BENCH_PRODUCERS ?? 8);
const APPOINTMENTS = Number(process.env.MSG_BENCH_APPOINTMENTS ?? 100_000);
/** Rounds of alternating slices (Tessera then raw bull, raw bull then Tessera, ...). */
const ROUNDS = Number(process.env.MSG_BENCH_ROUNDS ?? 4);
const ms = (v: number) => `${v.toFixed(1)} ms`;

export async function runMessagingBench(print: (line: string) => void): Promise<void> {
  const database = await createTestDatabase();
  const gateway = await startGateway();
  let kernel: Kernel | null = null;
  try {
    kernel = await Kernel.boot({
      config: { instanceName: `msg-bench-${process.pid}-${crypto.randomBytes(3).toString('hex')}`, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin: ADMIN, logLevel: 'silent', demo: false, modulesPath: [] },
    });
    await kernel.startJobs();
    const knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: ADMIN.email }).first('id')).id);
    const ctx = await kernel.contexts.forUser(adminId, companyId);
    const shop = await kernel.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: 'MSGB', name: 'Bench shop' });
    const customer = await kernel.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: 'Ann', last_name: 'Bench', shop_id: shop.id, phone: '+442079460123' });
    await kernel.container.get<any>(Symbol.for('messaging.channel')).create(ctx, { channel: 'sms', endpoint: gateway.url, secret: 'bench' });
    const rep = await kernel.container.get<any>(Symbol.for('messaging.representative')).create(ctx, { code: 'B1', name: 'Bench Rep' });

    // 1. Notifications through the queue against the same deliveries through raw bull, in alternating
    // slices (Tessera, raw, raw, Tessera, ...) so a neighbour's load on the shared machine falls on both.
    const notify = kernel.container.get<NotifyService>(MESSAGING.Notify);
    let noops = 0;
    kernel.jobs.define('messaging.bench_noop', async () => {
      noops++;
    }, 1);
    // The slice's own rows, by the primary key: a count over the whole table, 50 times a second, would
    // charge the queue's side with a scan the raw side (counting in memory) never pays.
    const sent = async (after: number) => Number((await knex('messaging_notifications').where('id', '>', after).where({ status: 'sent' }).count({ n: '*' }).first())?.n);
    const tesseraSlice = async (round: number): Promise<{ queued: number; delivered: number }> => {
      const after = Number((await knex('messaging_notifications').max({ id: 'id' }).first())?.id ?? 0);
      const started = performance.now();
      await inParallel(NOTIFICATIONS, PRODUCERS, (i) => notify.send(ctx.db, { template: 'messaging.birthday', customerId: customer.id, channel: 'sms', data: {}, dedupeKey: `bench-${round}-${i}` }));
      const queuedMs = performance.now() - started;
      await waitFor(async () => (await sent(after)) >= NOTIFICATIONS, 600_000);
      return { queued: NOTIFICATIONS / (queuedMs / 1000), delivered: NOTIFICATIONS / ((performance.now() - started) / 1000) };
    };
    // What the core's durable queue costs alone: the same number of empty jobs, recorded in a transaction each.
    const noopSlice = async (round: number): Promise<number> => {
      const before = noops;
      const started = performance.now();
      await inParallel(NOTIFICATIONS, PRODUCERS, (i) => ctx.db.enqueue('messaging.bench_noop', { i }, { jobKey: `noop-${round}-${i}` }));
      await waitFor(async () => noops - before >= NOTIFICATIONS, 600_000);
      return NOTIFICATIONS / ((performance.now() - started) / 1000);
    };
    const rawBaseline = process.env.REDIS_URL ? rawBull(process.env.REDIS_URL, gateway.url, 'adapter') : null;
    // The baseline of the figures before messaging's adapter left fetch: raw bull posting with fetch.
    const rawFetch = process.env.REDIS_URL ? rawBull(process.env.REDIS_URL, gateway.url, 'fetch') : null;
    const figures = { queued: [] as number[], delivered: [] as number[], noop: [] as number[], raw: [] as number[], rawFetch: [] as number[] };
    // Both sides are CPU-bound on a shared machine: what each costs in CPU, this process (senders and
    // workers), the database server and Redis, says more than its rate alone.
    const cpu = { tessera: new Map<string, number>(), raw: new Map<string, number>() };
    const processes = cpuProcesses();
    const account = cpuAccount(processes);
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const slices: Array<() => Promise<void>> = [
          async () => {
            const t = await account(cpu.tessera, () => tesseraSlice(round));
            figures.queued.push(t.queued);
            figures.delivered.push(t.delivered);
            figures.noop.push(await noopSlice(round));
          },
          async () => {
            if (rawBaseline) figures.raw.push(await account(cpu.raw, () => rawBaseline.slice(NOTIFICATIONS)));
            if (rawFetch) figures.rawFetch.push(await rawFetch.slice(NOTIFICATIONS));
          },
        ];
        for (const slice of round % 2 ? slices.reverse() : slices) await slice();
      }
    } finally {
      await rawBaseline?.close();
      await rawFetch?.close();
    }
    const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
    const tessera = total(figures.delivered) / figures.delivered.length;
    print(`messaging notifications queued (${NOTIFICATIONS} a slice, ${PRODUCERS} senders at once, each in no transaction of its own): ${(total(figures.queued) / ROUNDS).toFixed(0)} /s`);
    print(`messaging notifications queued and delivered through the ${kernel.queue.kind} queue: ${tessera.toFixed(1)} /s (slices: ${list(figures.delivered)})`);
    print(`core queue alone, empty jobs enqueued and run (same run): ${(total(figures.noop) / ROUNDS).toFixed(1)} /s (slices: ${list(figures.noop)})`);
    if (rawBaseline) {
      const baseline = total(figures.raw) / figures.raw.length;
      print(`raw bull, the same POSTs to the gateway (baseline): ${baseline.toFixed(1)} /s (slices: ${list(figures.raw)})`);
      print(`core queue alone/raw bull ratio: ${(total(figures.noop) / ROUNDS / baseline).toFixed(2)}`);
      const fetchBaseline = total(figures.rawFetch) / figures.rawFetch.length;
      print(`raw bull posting with fetch (the baseline of figures before 2026-12-03): ${fetchBaseline.toFixed(1)} /s (slices: ${list(figures.rawFetch)}); messaging/that ratio: ${(tessera / fetchBaseline).toFixed(2)}`);
      print(`messaging notifications/raw bull ratio: ${(tessera / baseline).toFixed(2)} (aim ≥ 0.5; per round: ${figures.delivered.map((d, i) => (d / figures.raw[i]).toFixed(2)).join(', ')})`);
    } else {
      print('raw bull baseline: not measured (set REDIS_URL)');
    }
    const split = (side: Map<string, number>, slices: number) => {
      const per = (s: number) => ((s * 1000) / (slices * NOTIFICATIONS)).toFixed(2);
      return `${[...side].map(([name, s]) => `${name} ${per(s)}`).join(', ')}, total ${per(total([...side.values()]))} ms`;
    };
    if (processes.length) {
      print(`messaging CPU per notification, through the queue: ${split(cpu.tessera, figures.delivered.length)}`);
      if (figures.raw.length) {
        print(`messaging CPU per notification, raw bull: ${split(cpu.raw, figures.raw.length)}`);
        // The rate ratio of a side that is CPU-bound against one partly bound by its latency (raw bull's
        // two workers post one message each at a time): the CPU ratio is what more load would converge to.
        // The database and Redis are shared with whoever else uses them meanwhile: this process's column is the steadiest.
        const per = (side: Map<string, number>, slices: number, only?: string) => [...side].filter(([name]) => !only || name === only).reduce((a, [, s]) => a + s, 0) / slices;
        print(`messaging/raw bull CPU per notification ratio: ${(per(cpu.raw, figures.raw.length) / per(cpu.tessera, figures.delivered.length)).toFixed(2)} all processes, ${(per(cpu.raw, figures.raw.length, 'bench') / per(cpu.tessera, figures.delivered.length, 'bench')).toFixed(2)} this process`);
      }
    }

    // 2. The month calendar of a company with many appointments.
    const loadStarted = performance.now();
    await loadAppointments(knex, companyId, customer.id, rep.id, APPOINTMENTS);
    print(`messaging appointments loaded: ${APPOINTMENTS} in ${(performance.now() - loadStarted) / 1000 | 0} s`);
    const appointments = kernel.container.get<AppointmentService>(MESSAGING.Appointments);
    const month = { from: '2031-02-24', to: '2031-04-06' };
    const service = await timeIt(() => appointments.calendar(ctx, month));
    const raw = await timeIt(() => knex('messaging_appointments').where({ company_id: companyId }).whereBetween('day', [month.from, month.to]).whereNot('status', 'cancelled').groupBy('day').select('day').count({ n: '*' }));
    const { url } = await kernel.listen(0);
    const cookie = await loginCookie(url, ADMIN.email, ADMIN.password);
    const page = await timeIt(async () => {
      const res = await fetch(`${url}/messaging/calendar?view=month&date=2031-03-15`, { headers: { cookie } });
      if (res.status !== 200) throw new Error(`calendar page answered ${res.status}`);
      await res.text();
    });
    print(`messaging month calendar, ${APPOINTMENTS} appointments, service: p50 ${ms(service.p50)}, p95 ${ms(service.p95)} (aim p50 < 50 ms)`);
    print(`messaging month calendar page over HTTP: p50 ${ms(page.p50)}, p95 ${ms(page.p95)}`);
    print(`raw GROUP BY day over the appointments (baseline): p50 ${ms(raw.p50)}, p95 ${ms(raw.p95)}`);
  } finally {
    if (kernel) {
      if (kernel.queue.kind === 'bull') await (kernel.queue as any).obliterate?.().catch(() => undefined);
      await kernel.close();
    }
    await gateway.close();
    await database.drop();
  }
}

/** Appointments spread over 2031 (about 270 a day), with the day-count rows bookings would have kept. */
async function loadAppointments(knex: Kernel['knex'], companyId: number, customerId: number, repId: number, total: number): Promise<void> {
  const now = new Date();
  const counts = new Map<string, number>();
  const batch: Record<string, unknown>[] = [];
  const flush = async () => {
    if (batch.length) await knex('messaging_appointments').insert(batch.splice(0));
  };
  for (let i = 0; i < total; i++) {
    const start = new Date(Date.UTC(2031, 0, 1) + (i % 365) * 86_400_000 + (8 + (i % 10)) * 3_600_000);
    const day = start.toISOString().slice(0, 10);
    counts.set(day, (counts.get(day) ?? 0) + 1);
    batch.push({ company_id: companyId, number: 1_000_000 + i, customer_id: customerId, representative_id: repId, starts_at: start, ends_at: new Date(start.getTime() + 1_800_000), day, status: 'booked', overbooked: false, created_at: now, updated_at: now });
    if (batch.length >= 500) await flush();
  }
  await flush();
  const rows = [...counts].flatMap(([day, count]) => [0, repId].map((rep) => ({ company_id: companyId, day, representative_id: rep, count })));
  for (let i = 0; i < rows.length; i += 500) await knex('messaging_day_counts').insert(rows.slice(i, i + 500));
}

/** Raw bull doing the same POSTs with as many senders and the same worker concurrency, a slice at a time. */
function rawBull(redisUrl: string, gatewayUrl: string, client: 'adapter' | 'fetch'): { slice(n: number): Promise<number>; close(): Promise<void> } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Bull = require('bull') as typeof import('bull');
  const queue = new Bull(`msg-bench-raw-${client}-${process.pid}`, redisUrl);
  let done = 0;
  // The same adapter messaging sends with, so the ratio is the queue's cost and not the HTTP client's.
  const gateway = new HttpGateway('sms');
  const config = { channel: 'sms' as const, endpoint: gatewayUrl, port: null, username: null, sender: null, secret: 'bench' };
  void queue.process(2, async (job) => {
    if (client === 'adapter') await gateway.send(config, { reference: `raw-${job.data.i}`, to: '+442079460123', subject: null, body: `raw ${job.data.i}` });
    else await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: '+442079460123', text: `raw ${job.data.i}` }) }).then((r) => r.text());
    done++;
  });
  return {
    async slice(n) {
      const before = done;
      const started = performance.now();
      await inParallel(n, PRODUCERS, (i) => queue.add({ i }, { removeOnComplete: true, attempts: 5 }));
      await waitFor(async () => done - before >= n, 600_000);
      return n / ((performance.now() - started) / 1000);
    },
    async close() {
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    },
  };
}

async function startGateway(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"accepted"}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function inParallel(n: number, width: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await work(next++);
  }));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function timeIt(fn: () => Promise<unknown>, runs = 25): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)], p95: samples[Math.min(samples.length - 1, Math.ceil(samples.length * 0.95) - 1)] };
}

if (require.main === module) {
  runMessagingBench((line) => process.stdout.write(line + '\n')).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`messaging bench failed: ${(error as Error).stack}\n`);
      process.exit(1);
    },
  );
}
