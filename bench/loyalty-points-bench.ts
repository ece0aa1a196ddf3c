/**
 * loyalty's points figures, one `name: value unit` a line: the points liability report (points
 * outstanding × value, and the 12 months of movements for its chart) at 1,000,000 customers with
 * points (LOYALTY_BENCH_CUSTOMERS), over HTTP and through the service, beside the bare aggregate run
 * raw on the connection. Target: under 2 s. Own database (a fresh MariaDB with DATABASE_URL).
 * Standalone: `node -r tsx/cjs bench/loyalty-points-bench.ts`.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Kernel } from '../core/kernel/kernel';
import { createTestDatabase } from '../test/support/test-database';
import { LOYALTY, type LoyaltyPointsService } from '../modules/loyalty/api';
import { ms, seconds, timeIt } from './bench-tools';

const ADMIN = { email: 'admin@loyalty.bench', password: 'loyalty-bench-password' };
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback) || fallback;

export async function runLoyaltyPointsBench(print: (line: string) => void): Promise<void> {
  const database = await createTestDatabase();
  const mysql = !database.url.startsWith('sqlite:');
  const customers = env('LOYALTY_BENCH_CUSTOMERS', 1_000_000);
  const ledgerRows = env('LOYALTY_BENCH_LEDGER', 200_000);
  let kernel: Kernel | null = null;
  try {
    kernel = await Kernel.boot({
      config: { instanceName: `loyalty-bench-${process.pid}-${crypto.randomBytes(3).toString('hex')}`, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin: ADMIN, logLevel: 'silent' as any, demo: false },
    });
    const knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: ADMIN.email }).first('id')).id);
    const ctx = await kernel.contexts.forUser(adminId, companyId);
    await kernel.container.get<any>(Symbol.for('billing.product')).create(ctx, { code: 'PTS', name: 'Points', unit_price: 0 });
    const points = kernel.container.get<LoyaltyPointsService>(LOYALTY.Points);
    await points.saveSettings(ctx, { active: true, mode: 'tranche', tranche_points: 100, tranche_value: 500, product_code: 'PTS' });

    // Accounts and ledger lines written in bulk (the bench measures reading them, not earning them).
    const started = performance.now();
    const now = new Date();
    const batch = mysql ? 5000 : 400;
    for (let from = 1; from <= customers; from += batch) {
      const rows = [];
      for (let id = from; id < Math.min(from + batch, customers + 1); id++) rows.push({ company_id: companyId, customer_id: id, balance: (id * 7919) % 1000, created_at: now, updated_at: now });
      await knex('loyalty_points_accounts').insert(rows);
    }
    const kinds = ['earned', 'earned', 'spent', 'reversed', 'adjusted', 'expired'];
    for (let from = 0; from < ledgerRows; from += batch) {
      const rows = [];
      for (let i = from; i < Math.min(from + batch, ledgerRows); i++) {
        const kind = kinds[i % kinds.length];
        rows.push({ company_id: companyId, customer_id: 1 + (i % customers), kind, points: kind === 'earned' || kind === 'adjusted' ? 50 : -20, amount: 0, source_key: `bench:${i}`, reason: '', created_at: new Date(now.getTime() - (i % 360) * 86_400_000), updated_at: now });
      }
      await knex('loyalty_points_ledger').insert(rows);
    }
    if (mysql) await knex.raw('ANALYZE TABLE loyalty_points_accounts, loyalty_points_ledger');
    print(`loyalty bench data: ${customers.toLocaleString('en-US')} points accounts, ${ledgerRows.toLocaleString('en-US')} ledger lines in ${seconds(performance.now() - started)} (${mysql ? 'mysql/mariadb' : 'sqlite'})`);

    const { url } = await kernel.listen(0);
    const token = (await kernel.tokens.createFor(adminId, 'loyalty bench')).token;
    const http = await timeIt(async () => {
      const res = await fetch(`${url}/api/v1/loyalty/reports/points-liability`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      const body = (await res.json()) as { points: number; months: unknown[] };
      if (res.status !== 200 || !body.points || body.months.length !== 12) throw new Error(`liability answered ${res.status}`);
    }, 7);
    const raw = await timeIt(() => knex('loyalty_points_accounts').where({ company_id: companyId }).where('balance', '>', 0).select(knex.raw('sum(balance) as p'), knex.raw('count(*) as c')).first(), 7);
    const since = new Date(now.getTime() - 365 * 86_400_000);
    const month = mysql ? "DATE_FORMAT(created_at, '%Y-%m')" : "strftime('%Y-%m', created_at / 1000, 'unixepoch')";
    const rawMonths = await timeIt(() => knex('loyalty_points_ledger').where({ company_id: companyId }).where('created_at', '>=', since).select(knex.raw(`${month} as m`), 'kind', knex.raw('sum(points) as p')).groupByRaw(month).groupBy('kind'), 7);
    print(`points liability report over HTTP, ${customers.toLocaleString('en-US')} customers: p50 ${ms(http.p50)}, p95 ${ms(http.p95)} (target < 2 s)`);
    print(`points outstanding raw aggregate (baseline, same run): p50 ${ms(raw.p50)}; movements per month raw: p50 ${ms(rawMonths.p50)}`);
  } finally {
    await kernel?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
  }
}

if (require.main === module) {
  runLoyaltyPointsBench((line) => process.stdout.write(line + '\n')).then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
