/**
 * schemes' figures for `npm run bench`, one `name: value unit` a line, each beside its raw baseline
 * measured in the same run:
 *  - payments posted per second over HTTP (`POST /api/v1/billing/payments`, one bearer token, distinct
 *    customers and references) for customers with an active pay plan, each applied to the plan and
 *    judged against 20 bonus bundles (by-shop and by-customer groups), against billing's plain payment
 *    posting for customers without a plan (the handler's one indexed look-up is all schemes adds there).
 *    Target: ratio ≥ 0.7;
 *  - the expiring-soon list over HTTP (p50), against the same query run raw on the connection.
 * Scale: 100,000 customers with active plans (SCHEMES_BENCH_PLANS). The load runs in short alternating
 * slices (plain, plans, plans, plain, ...; bench/schemes-slices.ts) and the ratio is the median of the pairs'.
 * Knobs: SCHEMES_BENCH_DURATION=8 and SCHEMES_BENCH_ROUNDS=2 (load per kind: their product), SCHEMES_BENCH_SLICE=2
 * seconds a slice, SCHEMES_BENCH_CONNECTIONS=8.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { Kernel } from '../core/kernel/kernel';
import { createTestDatabase } from '../test/support/test-database';
import { CRM, type CustomerGroupService } from '../modules/crm/api';
import { searchColumns } from '../modules/crm/customers/customer-normalize';
import { SCHEMES } from '../modules/schemes/api';
import { alternatingSlices, hammer, ratioText } from './schemes-slices';

const ADMIN = { email: 'admin@schemes.bench', password: 'schemes-bench-password' };
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback) || fallback;

export async function runSchemesBench(print: (line: string) => void): Promise<void> {
  const database = await createTestDatabase();
  const mysql = !database.url.startsWith('sqlite:');
  const plansWanted = env('SCHEMES_BENCH_PLANS', 100_000);
  const plainWanted = env('SCHEMES_BENCH_PLAIN', 30_000);
  let kernel: Kernel | null = null;
  try {
    kernel = await Kernel.boot({
      config: { instanceName: `schemes-bench-${process.pid}-${crypto.randomBytes(3).toString('hex')}`, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin: ADMIN, logLevel: (process.env.SCHEMES_BENCH_LOG ?? 'silent') as any, demo: false },
    });
    const knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: ADMIN.email }).first('id')).id);
    const ctx = await kernel.contexts.forUser(adminId, companyId);
    const shopService = kernel.container.get<any>(Symbol.for('base.ShopService'));
    const shops: number[] = [];
    for (let i = 0; i < 10; i++) shops.push(Number((await shopService.create(ctx, { code: `SB${i}`, name: `Schemes bench ${i}` })).id));
    const journals = kernel.container.get<any>(Symbol.for('billing.journal'));
    const momo = await journals.create(ctx, { code: 'MOMO', name: 'Mobile money', kind: 'mobile_money', number_format: 'MM/{seq:6}' });
    const discount = await journals.create(ctx, { code: 'DSC', name: 'Discounts', kind: 'discount', number_format: 'CN/{seq:6}' });
    await journals.create(ctx, { code: 'SAL', name: 'Sales', kind: 'sale', number_format: 'INV/{seq:6}' });
    await kernel.container.get<any>(Symbol.for('billing.product')).create(ctx, { code: 'KIT', name: 'Solar kit', unit_price: 100000 });

    const loadStarted = performance.now();
    const planIds = await loadCustomers(knex, companyId, adminId, shops, 'PL-', plansWanted);
    const plainIds = await loadCustomers(knex, companyId, adminId, shops, 'NP-', plainWanted);
    await loadPlans(knex, companyId, adminId, planIds, shops);
    if (mysql) await knex.raw('ANALYZE TABLE crm_customers, schemes_pay_plans');
    print(`schemes bench data: ${planIds.length.toLocaleString('en-US')} customers with active plans, ${plainIds.length.toLocaleString('en-US')} without, in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s (${mysql ? 'mysql/mariadb' : 'sqlite'})`);

    // 20 bundles: 10 over a by-shop group each, 10 over a by-customer group of 1,000 customers each.
    const groups = kernel.container.get<CustomerGroupService>(CRM.CustomerGroups);
    const bundles = kernel.container.get<any>(SCHEMES.Bundles);
    for (let i = 0; i < 20; i++) {
      const group = i < 10
        ? await groups.create(ctx, { name: `Shop group ${i}`, type: 'shop', shop_ids: [shops[i]] })
        : await groups.create(ctx, { name: `List ${i}`, type: 'customer', customer_ids: planIds.slice((i - 10) * 1000, (i - 9) * 1000) });
      await bundles.create(ctx, { name: `Bundle ${i}`, journal_id: discount.id, trigger_days: 7 * (1 + (i % 4)), reward_days: 1 + (i % 3), type: i % 2 ? 'cash_discount' : 'ontime_only', group_ids: [group.id] });
    }

    const { url } = await kernel.listen(0);
    const token = (await kernel.tokens.createFor(adminId, 'schemes bench')).token;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' };
    // 2 × SCHEMES_BENCH_ROUNDS × SCHEMES_BENCH_DURATION seconds of load as before, cut in slices of SCHEMES_BENCH_SLICE seconds.
    const duration = env('SCHEMES_BENCH_DURATION', 8);
    const connections = env('SCHEMES_BENCH_CONNECTIONS', 8);
    const rounds = env('SCHEMES_BENCH_ROUNDS', 2);
    const sliceSeconds = Math.min(env('SCHEMES_BENCH_SLICE', 2), duration);
    const pairs = Math.max(2, Math.round((rounds * duration) / sliceSeconds));
    const cursors = { plain: 0, plans: 0 };
    const post = (kind: 'plain' | 'plans') => async () => {
      const ids = kind === 'plain' ? plainIds : planIds;
      // Strided, so concurrent payments rarely touch neighbouring customers' rows.
      const customer = ids[(cursors[kind]++ * 7919) % ids.length];
      const res = await fetch(`${url}/api/v1/billing/payments`, { method: 'POST', headers, body: JSON.stringify({ customer_id: customer, journal_id: momo.id, amount: 840, method: 'mobile_money', reference: `${kind}-${crypto.randomBytes(6).toString('hex')}` }) });
      if (res.status === 201 || res.status === 200) await res.arrayBuffer();
      if (res.status !== 201 && res.status !== 200) throw new Error(`payment answered ${res.status}: ${Buffer.from(await res.arrayBuffer()).toString().slice(0, 300)}`);
    };
    await hammer(post('plain'), connections, 2);
    await hammer(post('plans'), connections, 2);
    // Short alternating slices (plain, plans, plans, plain, ...): the ratio is the median of the pairs' ratios.
    const slicing = { connections, sliceSeconds: sliceSeconds, pairs };
    const main = await alternatingSlices({ a: post('plain'), b: post('plans') }, slicing);
    const bonuses = Number((await knex('schemes_plan_events').where({ company_id: companyId, kind: 'bonus' }).count({ n: '*' }).first())!.n);
    print(`schemes payments with plan + 20 bundles over HTTP: ${main.rate.b.toFixed(1)} payments/s (${connections} connections, ${bonuses.toLocaleString('en-US')} bonuses awarded)`);
    print(`billing plain payments over HTTP (raw baseline, same run): ${main.rate.a.toFixed(1)} payments/s`);
    if (main.failed.a) print(`schemes bench plain payments failed: ${main.failed.a} (${main.firstError})`);
    if (main.failed.b) print(`schemes bench plans payments failed: ${main.failed.b} (${main.firstError})`);
    print(`schemes payments/plain ratio: ${ratioText(main)} (target ≥ 0.70; overall rates ${(main.rate.b / main.rate.a).toFixed(2)})`);

    // Where the time goes: the same payments once every bundle is ontime-only (no credit note to write in
    // billing), so the bundle evaluation and plan update alone are measured against the plain posting.
    const bundleIds = (await knex('schemes_bundles').where({ company_id: companyId }).pluck('id')) as number[];
    for (const id of bundleIds) await bundles.update(ctx, Number(id), { type: 'ontime_only' });
    const ontime = await alternatingSlices({ a: post('plain'), b: post('plans') }, slicing);
    print(`schemes payments with plan + 20 ontime-only bundles (no credit notes): ${ontime.rate.b.toFixed(1)} payments/s against plain ${ontime.rate.a.toFixed(1)} in the same slices: ratio ${ratioText(ontime)}`);

    const listUrl = `${url}/api/v1/schemes/pay-plans/expiring?days=3`;
    const http = await timeIt(async () => {
      const res = await fetch(listUrl, { headers });
      const body = (await res.json()) as { data: unknown[] };
      if (res.status !== 200 || !body.data.length) throw new Error(`expiring list answered ${res.status} with ${body.data?.length} rows`);
    });
    const raw = await timeIt(async () => {
      const now = new Date();
      await knex('schemes_pay_plans').where({ company_id: companyId, status: 'active' }).where('expiry', '>', now).where('expiry', '<=', new Date(now.getTime() + 3 * 86_400_000)).orderBy('expiry').orderBy('id').limit(200);
    });
    print(`schemes expiring-soon list over HTTP (200 rows of ${plansWanted.toLocaleString('en-US')} plans): p50 ${http.p50.toFixed(1)} ms, p95 ${http.p95.toFixed(1)} ms`);
    print(`schemes expiring-soon raw query (baseline): p50 ${raw.p50.toFixed(1)} ms`);
  } finally {
    await kernel?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
  }
}

async function timeIt(fn: () => Promise<unknown>, runs = 40): Promise<{ p50: number; p95: number }> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(runs / 2)], p95: samples[Math.floor(runs * 0.95)] };
}

async function loadCustomers(knex: Knex, companyId: number, userId: number, shops: number[], prefix: string, n: number): Promise<number[]> {
  const chunk = String(knex.client.config.client).startsWith('mysql') ? 1000 : 400;
  const now = new Date();
  for (let from = 0; from < n; from += chunk) {
    const rows = [];
    for (let i = from; i < Math.min(from + chunk, n); i++) {
      const c = { code: `${prefix}${String(i).padStart(7, '0')}`, first_name: 'Ama', last_name: `Mensah${i}`, phone: null, email: null };
      rows.push({ company_id: companyId, shop_id: shops[i % shops.length], ...c, ...searchColumns(c), created_at: now, updated_at: now, created_by: userId, updated_by: userId });
    }
    await knex('crm_customers').insert(rows);
  }
  return (await knex('crm_customers').where({ company_id: companyId }).where('code', 'like', `${prefix}%`).orderBy('id').pluck('id')).map(Number);
}

/** Active plans at 40 a day (840 per 21 days), expiries spread over the next 30 days. */
async function loadPlans(knex: Knex, companyId: number, userId: number, customerIds: number[], shops: number[]): Promise<void> {
  const chunk = String(knex.client.config.client).startsWith('mysql') ? 1000 : 300;
  const now = Date.now();
  for (let from = 0; from < customerIds.length; from += chunk) {
    const rows = customerIds.slice(from, from + chunk).map((customerId, k) => {
      const i = from + k;
      return {
        company_id: companyId, customer_id: customerId, shop_id: shops[i % shops.length], product_code: 'KIT', device_serial: `SN${i}`, device_mode: 'connected',
        total: 1_000_000, deposit: 0, instalment_amount: 840, instalment_days: 21, start_date: '2026-01-01', status: 'active',
        expiry: new Date(now + ((i * 7919) % (30 * 24)) * 3_600_000), paid: 0, discount: 0, owed: 1_000_000, carried_credit: 0, carried_scaled: 0, days_bought: 0, bonus_days: 0,
        created_at: new Date(now), updated_at: new Date(now), created_by: userId, updated_by: userId,
      };
    });
    await knex('schemes_pay_plans').insert(rows);
  }
}
