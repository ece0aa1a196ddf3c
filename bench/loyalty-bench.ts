/**
 * loyalty's prepaid-balance figures, one `name: value unit` a line (MariaDB with DATABASE_URL):
 *  - spends per second from 1,000 balances (LOYALTY_BENCH_BALANCES) by 8 concurrent clients over HTTP
 *    (`POST /api/v1/loyalty/balance-payments` on posted invoices: a billing payment in the LOYALTY
 *    journal whose posting runs the guarded update), against the raw guarded update in the same run
 *    (ledger row, `UPDATE ... WHERE balance + ? >= -credit_limit`, read-back, with mysql2), and their ratio;
 *  - after both, the ledger's sum equals every balance row (checked, printed).
 *  Every side first runs LOYALTY_BENCH_WARMUP (2,000) uncounted requests: a server runs warm.
 * Run alone: `DATABASE_URL=mysql://root@127.0.0.1:3306/test node -r tsx/cjs bench/loyalty-bench.ts`.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { Kernel } from '../core/kernel/kernel';
import { createTestDatabase } from '../test/support/test-database';
import { makeServices } from '../modules/billing/services';
import { pool, timed } from './bench-tools';
import { jsonClient } from './http-client';
import { startWebProcesses, type WebProcesses } from './web-processes';
import { cpuAccount, cpuProcesses } from './process-cpu';

const ADMIN = { email: 'admin@loyalty.bench', password: 'loyalty-bench-password' };
const CLIENTS = 8;
const START = 1_000_000_000;

export async function runLoyaltyBench(print: (line: string) => void): Promise<void> {
  const database = await createTestDatabase();
  const mysql = !database.url.startsWith('sqlite:');
  const wanted = Number(process.env.LOYALTY_BENCH_BALANCES ?? 1000);
  const spends = Number(process.env.LOYALTY_BENCH_SPENDS ?? 2000);
  let kernel: Kernel | null = null;
  let web: WebProcesses | null = null;
  try {
    const instanceName = `loyalty-bench-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
    kernel = await Kernel.boot({ config: { instanceName, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin: ADMIN, logLevel: 'silent', demo: true } });
    const knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: ADMIN.email }).first('id')).id);
    const ctx = await kernel.contexts.forUser(adminId, companyId);
    const s = makeServices();
    const crm = kernel.container.get<any>(Symbol.for('crm.CustomerService'));
    const shopId = Number((await knex('base_shops').where({ company_id: companyId }).first('id')).id);
    const setupStarted = performance.now();
    const customers: number[] = [];
    const invoices = new Map<number, number>();
    for (let i = 0; i < wanted; i++) {
      const c = Number((await crm.create(ctx, { first_name: 'Bench', last_name: `Balance ${i}`, shop_id: shopId })).id);
      customers.push(c);
      invoices.set(c, (await s.documents.createInvoice(ctx, { customerId: c, lines: [{ productCode: 'SRV', quantity: 100_000 }], post: true })).id);
    }
    // Balances loaded as one seed row each (ledger and balance row agree from the start).
    const now = new Date();
    for (let i = 0; i < customers.length; i += 500) {
      const part = customers.slice(i, i + 500);
      await knex('loyalty_balances').insert(part.map((c) => ({ company_id: companyId, customer_id: c, balance: START, credit_limit: 0, created_at: now, updated_at: now })));
      await knex('loyalty_balance_ledger').insert(part.map((c) => ({ company_id: companyId, customer_id: c, kind: 'adjustment', amount: START, balance_after: START, source_key: `seed:${c}`, reason: 'bench seed', created_at: now, updated_at: now })));
    }
    print(`loyalty bench setup: ${customers.length} customers with a posted invoice and a balance in ${((performance.now() - setupStarted) / 1000).toFixed(0)} s`);

    const { url: ownUrl, server } = await kernel.listen(0);
    // On MariaDB the server runs in a web process of its own, as `tessera serve` does, so the clients'
    // CPU is not spent in its event loop (LOYALTY_BENCH_WEB=0 keeps it in this process).
    const webProcesses = Number(process.env.LOYALTY_BENCH_WEB ?? (mysql ? 1 : 0));
    web = webProcesses > 0 ? await startWebProcesses(webProcesses, database.url, instanceName) : null;
    const url = web?.urls[0] ?? ownUrl;
    const token = (await kernel.tokens.createFor(adminId, 'bench')).token;
    const client = jsonClient({ Authorization: `Bearer ${token}` }, CLIENTS);
    try {
      const spend = async (i: number) => {
        const c = customers[(i * 7919) % customers.length];
        const res = await client.request('POST', `${url}/api/v1/loyalty/balance-payments`, { customer_id: c, invoice_id: invoices.get(c), amount: 100 + (i % 50), reference: `S-${i}` });
        if (res.status !== 201) throw new Error(`balance payment ${i}: ${res.status} ${res.body}`);
      };
      // What billing alone costs for the same payment over HTTP (cash journal, same invoices): the part of
      // a spend that is not loyalty's.
      const cash = Number((await knex('billing_journals').where({ company_id: companyId, code: 'CSH' }).first('id')).id);
      const billingPay = async (i: number) => {
        const c = customers[(i * 7919) % customers.length];
        const res = await client.request('POST', `${url}/api/v1/billing/payments`, { customer_id: c, journal_id: cash, amount: 100 + (i % 50), method: 'cash', reference: `P-${i}`, invoice_ids: [invoices.get(c)] });
        if (res.status >= 300) throw new Error(`billing payment ${i}: ${res.status} ${res.body}`);
      };
      // A server runs for hours: its first requests pay for compiling the code they run (V8's optimising
      // compiler works on threads of the same process, counted in its CPU). Every side warms up, uncounted,
      // before the halves are measured.
      const warmup = Number(process.env.LOYALTY_BENCH_WARMUP ?? 2000);
      await pool(CLIENTS, warmup, (i) => spend(spends + i));
      await pool(CLIENTS, warmup, (i) => billingPay(spends + warmup + i));
      await rawSpends(knex, database.url, mysql, companyId, customers, spends, warmup);
      // Alternating halves (HTTP, raw, billing, then billing, raw, HTTP): a busy machine weighs on all three alike.
      const half = Math.floor(spends / 2);
      // CPU seconds of each process (from /proc) per side: the rates of a shared machine hide where the cost lies.
      const processes = cpuProcesses(web ? 'bench' : 'bench+server', web?.pids ?? []);
      const cpu = { spend: new Map<string, number>(), billing: new Map<string, number>(), raw: new Map<string, number>() };
      const account = cpuAccount(processes);
      const inHalf = (first: boolean, task: (i: number) => Promise<void>, side: Map<string, number>) => account(side, () => timed(() => pool(CLIENTS, half, (i) => task(first ? i : half + i))));
      const rawHalf = (from: number) => account(cpu.raw, () => timed(() => rawSpends(knex, database.url, mysql, companyId, customers, from, half)));
      let httpMs = await inHalf(true, spend, cpu.spend);
      let rawMs = await rawHalf(0);
      let billingMs = await inHalf(true, billingPay, cpu.billing);
      billingMs += await inHalf(false, billingPay, cpu.billing);
      rawMs += await rawHalf(half);
      httpMs += await inHalf(false, spend, cpu.spend);
      print(`billing cash payments over HTTP on the same invoices (no loyalty work), ${CLIENTS} clients: ${((half * 2000) / billingMs).toFixed(0)} /s`);
      const httpRate = (half * 2000) / httpMs;
      const rawRate = (half * 2000) / rawMs;
      print(`loyalty balance spends over HTTP, ${CLIENTS} clients, ${customers.length} balances: ${httpRate.toFixed(0)} /s`);
      print(`loyalty raw guarded update (ledger row + guarded UPDATE + read-back, ${mysql ? 'mysql2' : 'knex'}), ${CLIENTS} clients: ${rawRate.toFixed(0)} /s`);
      print(`loyalty balance spends http/raw ratio: ${(httpRate / rawRate).toFixed(2)} (aim ≥ 0.5)`);
      const billingRate = (half * 2000) / billingMs;
      print(`loyalty balance spends against billing's own cash payment (the ceiling while a spend is a billing payment: billing/raw ${(billingRate / rawRate).toFixed(2)}): ${(httpRate / billingRate).toFixed(2)}`);
      for (const [side, used] of Object.entries(cpu)) {
        if (used.size) print(`loyalty balance, CPU ms per ${side === 'billing' ? 'billing payment' : side === 'raw' ? 'raw spend' : 'spend over HTTP'}: ${[...used].map(([name, s]) => `${name} ${((s * 1000) / (half * 2)).toFixed(2)}`).join(', ')}`);
      }
      const mismatched = await knex('loyalty_balances as b')
        .where('b.company_id', companyId)
        .whereRaw('b.balance <> (select coalesce(sum(l.amount), 0) from loyalty_balance_ledger l where l.company_id = b.company_id and l.customer_id = b.customer_id)')
        .count({ n: '*' })
        .first();
      print(`loyalty balances whose ledger sum differs after the run: ${Number(mismatched?.n ?? 0)} (must be 0)`);
    } finally {
      client.close();
      server.close();
    }
  } finally {
    await web?.stop().catch(() => undefined);
    await kernel?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
  }
}

/** The balance's own rows for a spend, by hand: ledger row, guarded update, read-back, running balance. */
async function rawSpends(knex: Knex, dbUrl: string, mysql: boolean, companyId: number, customers: number[], from: number, count: number): Promise<void> {
  const now = new Date();
  if (!mysql) {
    await pool(CLIENTS, count, (n) => knex.transaction(async (trx) => {
      const i = from + n;
      const c = customers[(i * 7919) % customers.length];
      const amount = 100 + (i % 50);
      const [id] = await trx('loyalty_balance_ledger').insert({ company_id: companyId, customer_id: c, kind: 'payment', amount: -amount, balance_after: 0, source_key: `raw:${i}`, reason: 'raw', created_at: now, updated_at: now });
      const changed = await trx('loyalty_balances').where({ company_id: companyId, customer_id: c }).whereRaw('balance + ? >= -credit_limit', [-amount]).update({ balance: trx.raw('balance + ?', [-amount]), updated_at: now });
      if (changed !== 1) throw new Error('raw spend refused');
      const row = await trx('loyalty_balances').where({ company_id: companyId, customer_id: c }).first('balance');
      await trx('loyalty_balance_ledger').where({ id }).update({ balance_after: row.balance });
    }));
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql2 = require('mysql2/promise') as typeof import('mysql2/promise');
  const connections = mysql2.createPool({ uri: dbUrl, connectionLimit: CLIENTS });
  try {
    await pool(CLIENTS, count, async (n) => {
      const i = from + n;
      const conn = await connections.getConnection();
      const c = customers[(i * 7919) % customers.length];
      const amount = 100 + (i % 50);
      try {
        await conn.beginTransaction();
        const [res] = await conn.query('INSERT INTO loyalty_balance_ledger (company_id, customer_id, kind, amount, balance_after, source_key, reason, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)', [companyId, c, 'payment', -amount, 0, `raw:${i}`, 'raw', now, now]);
        const id = (res as { insertId: number }).insertId;
        const [upd] = await conn.query('UPDATE loyalty_balances SET balance = balance + ?, updated_at = ? WHERE company_id = ? AND customer_id = ? AND balance + ? >= -credit_limit', [-amount, now, companyId, c, -amount]);
        if ((upd as { affectedRows: number }).affectedRows !== 1) throw new Error('raw spend refused');
        const [rows] = await conn.query('SELECT balance FROM loyalty_balances WHERE company_id = ? AND customer_id = ?', [companyId, c]);
        await conn.query('UPDATE loyalty_balance_ledger SET balance_after = ? WHERE id = ?', [(rows as Array<{ balance: number }>)[0].balance, id]);
        await conn.commit();
      } catch (error) {
        await conn.rollback();
        throw error;
      } finally {
        conn.release();
      }
    });
  } finally {
    await connections.end();
  }
}

if (require.main === module) {
  runLoyaltyBench((line) => process.stdout.write(line + '\n')).then(() => process.exit(0), (error) => {
    process.stderr.write(`loyalty bench failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
