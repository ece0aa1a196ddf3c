/**
 * loyalty cards' figures, one `name: value unit` a line:
 *   - scanner transactions per second over HTTP with 8 clients (stamps on random cards among
 *     LOYALTY_CARDS_BENCH_CARDS, default 1,000,000, inserted with INSERT...SELECT), beside the raw
 *     guarded update + transaction row on the connection in the same run, 8 at a time;
 *   - the RFM analysis (aggregate, score, store) of LOYALTY_CARDS_BENCH_CUSTOMERS (200,000) customers
 *     with LOYALTY_CARDS_BENCH_VISITS (5,000,000) transactions over a year. Target under 10 s.
 * LOYALTY_CARDS_BENCH_SECONDS (10) is how long each throughput test runs (in alternating slices);
 * LOYALTY_CARDS_BENCH_SKIP_SCANS=1 leaves the scans out, LOYALTY_CARDS_BENCH_KEEP=1 keeps the database. Own database (DATABASE_URL).
 * Standalone: `node -r tsx/cjs bench/loyalty-cards-bench.ts`.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { Kernel } from '../core/kernel/kernel';
import { createTestDatabase } from '../test/support/test-database';
import { RfmAnalysis } from '../modules/loyalty/cards/insight/rfm-service';
import { CardTransactions } from '../modules/loyalty/cards/card-transactions';
import { seconds } from './bench-tools';

const ADMIN = { email: 'admin@cards.bench', password: 'cards-bench-password' };
const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback) || fallback;
const CLIENTS = 8;
const DAY_MS = 86_400_000;

/** `count` rows of `select` (over `n` from 1) inserted in chunks: SQLite counts with a recursive CTE, MariaDB with its sequence engine. */
async function insertSelect(knex: Knex, mysql: boolean, table: string, columns: string, select: string, count: number): Promise<void> {
  const chunk = 500_000;
  for (let from = 0; from < count; from += chunk) {
    const size = Math.min(chunk, count - from);
    if (mysql) await knex.raw(`INSERT INTO ${table} (${columns}) SELECT ${select} FROM (SELECT seq + ${from} AS n FROM seq_1_to_${size}) s`);
    else await knex.raw(`WITH RECURSIVE s(n) AS (SELECT ${from + 1} UNION ALL SELECT n + 1 FROM s WHERE n < ${from + size}) INSERT INTO ${table} (${columns}) SELECT ${select} FROM s`);
  }
}

/** Runs `work` on CLIENTS loops for `ms`; answers how many completed per second. */
async function throughput(ms: number, work: (client: number, i: number) => Promise<void>): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async (_, client) => {
    for (let i = 0; performance.now() < end; i++) {
      await work(client, i);
      done++;
    }
  }));
  return done / ((performance.now() - started) / 1000);
}

export async function runLoyaltyCardsBench(print: (line: string) => void): Promise<void> {
  const database = await createTestDatabase();
  const mysql = !database.url.startsWith('sqlite:');
  const cards = env('LOYALTY_CARDS_BENCH_CARDS', 1_000_000);
  const customers = Math.min(cards, env('LOYALTY_CARDS_BENCH_CUSTOMERS', 200_000));
  const visits = env('LOYALTY_CARDS_BENCH_VISITS', 5_000_000);
  const runMs = env('LOYALTY_CARDS_BENCH_SECONDS', 10) * 1000;
  let kernel: Kernel | null = null;
  try {
    kernel = await Kernel.boot({
      runJobs: false,
      config: { instanceName: `cards-bench-${process.pid}-${crypto.randomBytes(3).toString('hex')}`, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin: ADMIN, logLevel: 'silent' as any, demo: false },
    });
    const knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: ADMIN.email }).first('id')).id);
    const now = new Date();
    const [templateId] = await knex('loyalty_card_templates').insert({ company_id: companyId, name: 'Bench stamps', type: 'stamp', rules: JSON.stringify({ stamp_step: 1000, milestones: [{ stamps: 10, reward: 'Coffee' }], life: { kind: 'unlimited' } }), validity_kind: 'unlimited', active: true, created_at: now, updated_at: now });

    let started = performance.now();
    const stamp = mysql ? 'NOW()' : String(now.getTime());
    await insertSelect(knex, mysql, 'loyalty_cards', 'company_id, template_id, type, customer_id, number, secret, status, created_at, updated_at',
      `${companyId}, ${Number(templateId)}, 'stamp', 1 + ((n - 1) % ${customers}), ${mysql ? "CONCAT('B', n)" : "'B' || n"}, ${mysql ? "CONCAT('bench-secret-', n)" : "'bench-secret-' || n"}, 'active', ${stamp}, ${stamp}`, cards);
    // MariaDB's auto-increment leaves gaps between the chunks of INSERT ... SELECT: pick among the real ids.
    const cardIds = Int32Array.from((await knex('loyalty_cards').where({ template_id: Number(templateId) }).orderBy('id').pluck('id')).map(Number));
    const firstCard = cardIds[0];
    if (cardIds[customers - 1] !== firstCard + customers - 1) throw new Error('the first cards of the bench are not numbered in a row');
    print(`loyalty cards bench data: ${cards.toLocaleString('en-US')} cards inserted in ${seconds(performance.now() - started)} (${mysql ? 'mysql/mariadb' : 'sqlite'})`);

    // Scanner over HTTP: 8 clients, each a stamp on a random card with its own key.
    if (process.env.LOYALTY_CARDS_BENCH_SKIP_SCANS !== '1') {
      const { url } = await kernel.listen(0);
      const token = (await kernel.tokens.createFor(adminId, 'cards bench')).token;
      const headers = { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json' };
      const pick = () => cardIds[Math.floor(Math.random() * cardIds.length)];
      const httpScan = async () => {
        const target = `${url}/api/v1/loyalty/cards/${pick()}/transactions`;
        const init = { method: 'POST', headers, body: JSON.stringify({ key: crypto.randomUUID(), action: 'stamp', amount: 1000 }) };
        // A kept-alive socket the server closed while the other slices ran resets once: send it again (same key, one transaction).
        const res = await fetch(target, init).catch(() => fetch(target, init));
        if (res.status !== 201) throw new Error(`scan answered ${res.status}: ${await res.text()}`);
      };
      // The module's service in this process, without HTTP: what the scan costs without core's request path.
      const scanCtx = await kernel.contexts.forUser(adminId, companyId);
      const moves = new CardTransactions();
      const serviceScan = async () => {
        await moves.transact(scanCtx, pick(), crypto.randomUUID(), { action: 'stamp', amount: 1000 });
      };
      // The same work bare: read the card, guarded update, transaction row, in one transaction.
      const rawScan = async () => {
        const id = pick();
        await knex.transaction(async (trx) => {
          const card = await trx('loyalty_cards').where({ id }).first('stamps', 'company_id');
          const changed = await trx('loyalty_cards').where({ id, stamps: card.stamps }).update({ stamps: Number(card.stamps) + 1, updated_at: new Date() });
          if (changed !== 1) throw new Error('guarded update missed');
          await trx('loyalty_card_transactions').insert({ company_id: companyId, card_id: id, key: crypto.randomUUID(), action: 'stamp', quantity: 1, amount: 1000, outcome: '{}', created_at: new Date() });
        });
      };
      // Alternating slices (HTTP, service, raw, then raw, service, HTTP): a busy machine weighs on all three alike.
      const rates = { http: [] as number[], service: [] as number[], raw: [] as number[] };
      for (const order of [['http', 'service', 'raw'], ['raw', 'service', 'http']] as const) {
        for (const which of order) rates[which].push(await throughput(runMs / 2, which === 'http' ? httpScan : which === 'service' ? serviceScan : rawScan));
      }
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const [http, service, raw] = [mean(rates.http), mean(rates.service), mean(rates.raw)];
      print(`card scans over HTTP, ${CLIENTS} clients, ${cards.toLocaleString('en-US')} cards: ${Math.round(http)} transactions/s`);
      print(`card scans through the service in process (no HTTP), ${CLIENTS} at a time: ${Math.round(service)} transactions/s (service/raw ${(service / raw).toFixed(2)})`);
      print(`card scans raw guarded update + row, ${CLIENTS} at a time (baseline, same run): ${Math.round(raw)} transactions/s (HTTP/raw ${(http / raw).toFixed(2)})`);
    }

    // RFM: visits spread over the first `customers` cards (one per customer) and the last year.
    await knex('loyalty_card_transactions').delete();
    started = performance.now();
    const created = mysql ? 'NOW() - INTERVAL (n % 365) DAY - INTERVAL (n % 86400) SECOND' : `${now.getTime()} - (n % 365) * ${DAY_MS} - (n % 86400) * 1000`;
    await insertSelect(knex, mysql, 'loyalty_card_transactions', 'company_id, card_id, `key`, action, quantity, amount, outcome, created_at'.replace(/`/g, mysql ? '`' : '"'),
      `${companyId}, ${firstCard} + (n % ${customers}), ${mysql ? "CONCAT('v', n)" : "'v' || n"}, CASE WHEN n % 10 = 0 THEN 'redeem_reward' ELSE 'stamp' END, 1, 500 + (n % 97) * 100, '{}', ${created}`, visits);
    if (mysql) await knex.raw('ANALYZE TABLE loyalty_cards, loyalty_card_transactions');
    print(`loyalty RFM bench data: ${visits.toLocaleString('en-US')} visits of ${customers.toLocaleString('en-US')} customers in ${seconds(performance.now() - started)}`);
    const ctx = await kernel.contexts.forUser(adminId, companyId);
    const rfm = new RfmAnalysis();
    const run = await rfm.start(ctx, 365);
    started = performance.now();
    const aggregated = await rfm.aggregate(ctx, new Date(Date.now() + 1000), 365);
    const aggregateMs = performance.now() - started;
    started = performance.now();
    const result = await rfm.run(ctx, run.id, async () => undefined);
    const runMsTaken = performance.now() - started;
    print(`RFM analysis, ${result.customers.toLocaleString('en-US')} customers, ${visits.toLocaleString('en-US')} visits: ${seconds(runMsTaken)} (aggregate query alone ${seconds(aggregateMs)} for ${aggregated.length.toLocaleString('en-US')} rows; target < 10 s)`);
  } finally {
    await kernel?.close().catch(() => undefined);
    if (process.env.LOYALTY_CARDS_BENCH_KEEP === '1') print(`loyalty cards bench database kept: ${database.url}`);
    else await database.drop().catch(() => undefined);
  }
}

if (require.main === module) {
  runLoyaltyCardsBench((line) => process.stdout.write(line + '\n')).then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
