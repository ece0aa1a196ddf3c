/**
 * Gold saving schemes' figures for `npm run bench` (MariaDB), one `name: value unit` a line:
 *  - the month-end missed-payment job over GOLD_BENCH_PLANS active plans (default 100,000) in plans per
 *    second: every plan started last month, 90 % paid it (payment rows inserted), so the job checks
 *    them all and flags the other 10 % once;
 *  - the missed-payments report (`GET /api/v1/schemes/reports/missed`) p50 over HTTP;
 *  - instalments posted per second over HTTP (`POST /api/v1/schemes/gold-plans/{id}/payments`, this
 *    month's on-time instalment, a distinct plan each) against billing's plain payment posting
 *    (`POST /api/v1/billing/payments`) in alternating slices of the same run.
 * Plans, customers and last month's payments are inserted with INSERT ... SELECT from one enrolled plan.
 * Knobs: GOLD_BENCH_PLANS=100000, GOLD_BENCH_DURATION=8 and GOLD_BENCH_ROUNDS=2 (load per kind: their product),
 * cut in alternating slices of GOLD_BENCH_SLICE=2 seconds (bench/schemes-slices.ts), GOLD_BENCH_CONNECTIONS=8,
 * GOLD_BENCH_ORDER=spread|sequential (which plans pay at once).
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { dayIn } from '../core';
import { Kernel } from '../core/kernel/kernel';
import { createTestDatabase } from '../test/support/test-database';
import { searchColumns } from '../modules/crm/customers/customer-normalize';
import { SCHEMES, type GoldPlanService } from '../modules/schemes/api';
import { timeIt } from './bench-tools';
import { alternatingSlices, hammer, ratioText } from './schemes-slices';

const ADMIN = { email: 'admin@gold.bench', password: 'gold-bench-password' };
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback) || fallback;

export async function runGoldBench(print: (line: string) => void): Promise<void> {
  const database = await createTestDatabase();
  if (database.url.startsWith('sqlite:')) {
    print('gold bench: skipped (needs DATABASE_URL=mysql://...)');
    await database.drop().catch(() => undefined);
    return;
  }
  const wanted = env('GOLD_BENCH_PLANS', 100_000);
  let kernel: Kernel | null = null;
  try {
    kernel = await Kernel.boot({
      config: { instanceName: `gold-bench-${process.pid}-${crypto.randomBytes(3).toString('hex')}`, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin: ADMIN, logLevel: (process.env.GOLD_BENCH_LOG ?? 'silent') as any, demo: false },
    });
    const knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: ADMIN.email }).first('id')).id);
    const ctx = await kernel.contexts.forUser(adminId, companyId);
    const shop = Number((await kernel.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: 'GB', name: 'Gold bench' })).id);
    const journals = kernel.container.get<any>(Symbol.for('billing.journal'));
    const cash = await journals.create(ctx, { code: 'CSH', name: 'Cash', kind: 'cash', number_format: 'CS/{seq:7}' });
    const momo = await journals.create(ctx, { code: 'MOMO', name: 'Mobile money', kind: 'mobile_money', number_format: 'MM/{seq:7}' });
    await journals.create(ctx, { code: 'DSC', name: 'Discounts', kind: 'discount', number_format: 'CN/{seq:6}' });

    // The company's calendar (UTC here): plans started last month, this month's window (1st–28th) still open.
    const today = dayIn(new Date(), 'UTC');
    const month = today.slice(0, 7);
    const last = lastMonth(month);
    const scheme = await kernel.container.get<any>(SCHEMES.GoldSchemes).create(ctx, {
      name: 'Swarna 11+1', kind: 'fixed', duration_months: 11, window_start_day: 1, window_end_day: 28, min_instalment: 1000,
      tiers: [{ code: 'T1', name: '1,000', instalment: 1000 }], reward_kind: 'fixed', reward_instalments: 1,
    });
    const gold = kernel.container.get<GoldPlanService>(SCHEMES.GoldPlans);

    const loadStarted = performance.now();
    const customers = await loadCustomers(knex, companyId, adminId, shop, wanted + 20_000);
    const template = await gold.enrol(ctx, { customer_id: customers[0], scheme_id: scheme.id, tier: 'T1', start_month: last });
    await clonePlans(knex, companyId, Number(template.id), customers.slice(1, wanted));
    // 90 % paid last month's instalment on time: one payment row each (no billing payment behind it; the job reads these rows).
    await knex.raw(
      `insert into schemes_gold_payments (company_id, plan_id, customer_id, payer_id, payment_id, journal_id, reference, mode, amount, status, month, slot, paid_at, on_time, grams_milli, created_at, updated_at)
       select company_id, id, customer_id, customer_id, null, ?, concat('LOAD-', id), 'cash', 1000, 'paid', ?, ?, ?, 1, 0, now(), now() from schemes_gold_plans where company_id = ? and mod(id, 10) <> 0`,
      [cash.id, last, last, new Date(`${last}-05T10:00:00Z`), companyId],
    );
    await knex.raw('update schemes_gold_plans set paid_count = 1, paid_total = 1000 where company_id = ? and mod(id, 10) <> 0', [companyId]);
    await knex.raw('ANALYZE TABLE crm_customers, schemes_gold_plans, schemes_gold_payments');
    const planIds = (await knex('schemes_gold_plans').where({ company_id: companyId }).orderBy('id').pluck('id')).map(Number);
    print(`gold bench data: ${planIds.length.toLocaleString('en-US')} active gold plans (90 % paid ${last}), ${customers.length.toLocaleString('en-US')} customers, in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`);

    // The month-end job: last month's window has closed, so every plan is checked and the unpaid tenth flagged.
    const jobStarted = performance.now();
    const run = await gold.flagMissed(ctx);
    const jobSeconds = (performance.now() - jobStarted) / 1000;
    print(`gold missed-payment job (first run, ${run.flagged.toLocaleString('en-US')} months flagged): ${(run.plans / jobSeconds).toFixed(0)} plans/s (${run.plans.toLocaleString('en-US')} plans in ${jobSeconds.toFixed(1)} s)`);
    const againStarted = performance.now();
    const again = await gold.flagMissed(ctx);
    const againSeconds = (performance.now() - againStarted) / 1000;
    print(`gold missed-payment job (second run, ${again.flagged} flagged): ${(again.plans / againSeconds).toFixed(0)} plans/s`);

    const { url } = await kernel.listen(0);
    const token = (await kernel.tokens.createFor(adminId, 'gold bench')).token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
    const report = await timeIt(async () => {
      const res = await fetch(`${url}/api/v1/schemes/reports/missed?month=${last}`, { headers });
      const body = (await res.json()) as { count: number };
      if (res.status !== 200 || body.count !== run.flagged) throw new Error(`missed report answered ${res.status} with ${body.count} rows`);
    }, 10);
    print(`gold missed-payments report over HTTP (${run.flagged.toLocaleString('en-US')} rows): p50 ${report.p50.toFixed(1)} ms, p95 ${report.p95.toFixed(1)} ms`);

    const connections = env('GOLD_BENCH_CONNECTIONS', 8);
    const duration = env('GOLD_BENCH_DURATION', 8);
    const rounds = env('GOLD_BENCH_ROUNDS', 2);
    let next = 0;
    // Which plan pays next: spread over the customers as the plain posts spread theirs (a step of 7919, a
    // prime, visits every plan once), or GOLD_BENCH_ORDER=sequential, neighbouring customers at once: their
    // first credit use meets on billing's gap locks (billing_allocations), so MariaDB deadlocks them often.
    const sequential = process.env.GOLD_BENCH_ORDER === 'sequential';
    const step = sequential || planIds.length % 7919 === 0 ? 1 : 7919;
    const posts = {
      // This month's instalment of the next plan: a distinct plan per call, so no two clients race for one month.
      gold: async () => {
        const plan = planIds[(next++ * step) % planIds.length];
        const res = await fetch(`${url}/api/v1/schemes/gold-plans/${plan}/payments`, { method: 'POST', headers, body: JSON.stringify({ amount: 1000, mode: 'cash', reference: `G-${crypto.randomBytes(6).toString('hex')}` }) });
        await expectCreated(res, 'gold instalment');
      },
      plain: async () => {
        const customer = customers[(next++ * 7919) % customers.length];
        const res = await fetch(`${url}/api/v1/billing/payments`, { method: 'POST', headers, body: JSON.stringify({ customer_id: customer, journal_id: momo.id, amount: 1000, method: 'mobile_money', reference: `P-${crypto.randomBytes(6).toString('hex')}` }) });
        await expectCreated(res, 'plain payment');
      },
    };
    await hammer(posts.plain, connections, 2);
    await hammer(posts.gold, connections, 2);
    // Short alternating slices (plain, gold, gold, plain, ...): the ratio is the median of the pairs' ratios.
    const sliceSeconds = Math.min(env('GOLD_BENCH_SLICE', 2), duration);
    const deadlocks = { a: 0, b: 0 };
    let before = 0;
    const got = await alternatingSlices({ a: posts.plain, b: posts.gold }, {
      connections, sliceSeconds, pairs: Math.max(2, Math.round((rounds * duration) / sliceSeconds)),
      before: async () => { before = await innodbDeadlocks(knex); },
      after: async (kind) => { deadlocks[kind] += (await innodbDeadlocks(knex)) - before; },
    });
    print(`gold instalments posted over HTTP: ${got.rate.b.toFixed(1)} instalments/s (${connections} clients, ${sequential ? 'neighbouring' : 'spread'} customers; MariaDB counted ${deadlocks.b} deadlocks in the gold slices, ${deadlocks.a} in the plain ones, server-wide)`);
    print(`billing plain payments over HTTP (raw baseline, same run): ${got.rate.a.toFixed(1)} payments/s`);
    print(`gold instalments/plain ratio: ${ratioText(got)}; overall rates ${(got.rate.b / got.rate.a).toFixed(2)}`);
    if (got.failed.b) print(`gold bench gold posts failed: ${got.failed.b} (${got.firstError})`);
    if (got.failed.a) print(`gold bench plain posts failed: ${got.failed.a} (${got.firstError})`);
  } finally {
    await kernel?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
  }
}

/** MariaDB's deadlock count since it started (server-wide: other engineers' runs add to it). */
async function innodbDeadlocks(knex: Knex): Promise<number> {
  const [rows] = (await knex.raw("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'")) as [Array<{ Value: string }>];
  return Number(rows[0]?.Value ?? 0);
}

function lastMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

async function expectCreated(res: Response, what: string): Promise<void> {
  const body = Buffer.from(await res.arrayBuffer()).toString();
  if (res.status !== 201 && res.status !== 200) throw new Error(`${what} answered ${res.status}: ${body.slice(0, 300)}`);
}

/** Customers in batches of 1,000 rows (crm's search columns computed as crm does). */
async function loadCustomers(knex: Knex, companyId: number, userId: number, shop: number, n: number): Promise<number[]> {
  const now = new Date();
  for (let from = 0; from < n; from += 1000) {
    const rows = [];
    for (let i = from; i < Math.min(from + 1000, n); i++) {
      const c = { code: `GB-${String(i).padStart(7, '0')}`, first_name: 'Lakshmi', last_name: `Iyer${i}`, phone: null, email: null };
      rows.push({ company_id: companyId, shop_id: shop, ...c, ...searchColumns(c), created_at: now, updated_at: now, created_by: userId, updated_by: userId });
    }
    await knex('crm_customers').insert(rows);
  }
  return (await knex('crm_customers').where({ company_id: companyId }).where('code', 'like', 'GB-%').orderBy('id').pluck('id')).map(Number);
}

/** Copies of the enrolled template plan, one per customer, in INSERT ... SELECT batches of 10,000. */
async function clonePlans(knex: Knex, companyId: number, templateId: number, customerIds: number[]): Promise<void> {
  const columns = Object.keys(await knex('schemes_gold_plans').columnInfo()).filter((c) => c !== 'id' && c !== 'customer_id');
  const list = columns.map((c) => `t.\`${c}\``).join(', ');
  for (let i = 0; i < customerIds.length; i += 10_000) {
    const chunk = customerIds.slice(i, i + 10_000);
    await knex.raw(
      `insert into schemes_gold_plans (customer_id, ${columns.map((c) => `\`${c}\``).join(', ')})
       select c.id, ${list} from crm_customers c join schemes_gold_plans t on t.id = ? where c.company_id = ? and c.id in (${chunk.map(() => '?').join(',')})`,
      [templateId, companyId, ...chunk],
    );
  }
}
