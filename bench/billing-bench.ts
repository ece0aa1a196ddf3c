/**
 * billing's figures for `npm run bench`, one `name: value unit` a line (MariaDB with DATABASE_URL):
 *  - payments per second posted over HTTP by 8 concurrent clients, against the raw transaction doing the
 *    same rows (account lock, payment, guarded residual update, allocation, ledger row, balance) with
 *    mysql2 in the same run, and their ratio (aim ≥ 0.5), in alternating slices; the server runs in
 *    BILLING_BENCH_WEB web processes of its own (default 1 on MariaDB; 0 = in the bench's process);
 *    BILLING_BENCH_PAYMENTS_ONLY=1 stops after this figure;
 *  - posting a 20-line invoice over HTTP (p50); a customer statement of 10,000 ledger rows (p50, aim < 50 ms);
 *  - aged receivables over 1,000,000 invoices (BILLING_BENCH_INVOICES; aim < 2 s);
 *  - a selective billing run of 10,000 customers (BILLING_BENCH_SELECTIVE), invoices per second.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { Kernel } from '../core/kernel/kernel';
import { createTestDatabase } from '../test/support/test-database';
import { agedReceivables } from '../modules/billing/reports/report-queries';
import { statementOf } from '../modules/billing/ledger/statement';
import { SelectiveBilling } from '../modules/billing/selective/selective-service';
import { makeServices } from '../modules/billing/services';
import { pool, timed } from './bench-tools';
import { startWebProcesses, type WebProcesses } from './web-processes';

const ADMIN = { email: 'admin@billing.bench', password: 'billing-bench-password' };
const CLIENTS = 8;
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runBillingBench(print: (line: string) => void): Promise<void> {
  const database = await createTestDatabase();
  const mysql = !database.url.startsWith('sqlite:');
  const payments = Number(process.env.BILLING_BENCH_PAYMENTS ?? 1000);
  const invoicesWanted = Number(process.env.BILLING_BENCH_INVOICES ?? (mysql ? 1_000_000 : 100_000));
  const selectiveWanted = Number(process.env.BILLING_BENCH_SELECTIVE ?? 10_000);
  // Where the server runs: 0 = in this process beside the bench's own HTTP clients (whose CPU then
  // competes with it); N = N web processes of their own, as `tessera serve` runs them side by side on
  // MariaDB + Redis, the clients spread over them like a load balancer would.
  const webProcesses = Number(process.env.BILLING_BENCH_WEB ?? (mysql ? 1 : 0));
  let kernel: Kernel | null = null;
  let web: WebProcesses | null = null;
  try {
    const instanceName = `billing-bench-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
    kernel = await Kernel.boot({ config: { instanceName, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin: ADMIN, logLevel: 'silent', demo: true } });
    const knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: ADMIN.email }).first('id')).id);
    const ctx = await kernel.contexts.forUser(adminId, companyId);
    const s = makeServices();
    // Enough customers that 8 clients rarely queue on one customer's account lock (as at a real till).
    const crm = kernel.container.get<any>(Symbol.for('crm.CustomerService'));
    const shopId = Number((await knex('base_shops').where({ company_id: companyId }).first('id')).id);
    for (let i = 0; i < Number(process.env.BILLING_BENCH_CUSTOMERS ?? 100); i++) await crm.create(ctx, { first_name: 'Bench', last_name: `Customer ${i}`, shop_id: shopId });
    const customers = await knex('crm_customers').where({ company_id: companyId }).pluck('id');
    const cash = Number((await knex('billing_journals').where({ company_id: companyId, code: 'CSH' }).first('id')).id);
    const { url: ownUrl, server } = await kernel.listen(0);
    web = webProcesses > 0 ? await startWebProcesses(webProcesses, database.url, instanceName) : null;
    const urls = web?.urls ?? [ownUrl];
    const url = urls[0];
    print(`billing bench server: ${web ? `${webProcesses} web process${webProcesses > 1 ? 'es' : ''} of its own (MariaDB + Redis as \`tessera serve\` runs)` : 'in the bench\'s process, beside its HTTP clients'}`);
    const token = (await kernel.tokens.createFor(adminId, 'bench')).token;
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' };
    const post = async (path: string, body: unknown, to = url) => {
      const res = await fetch(`${to}/api/v1/billing${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<any>;
    };
    try {
      // 1. Payments over HTTP vs the raw transaction.
      for (const c of customers) await s.documents.createInvoice(ctx, { customerId: c, lines: [{ productCode: 'SRV', quantity: 100_000 }], post: true });
      // The machine is shared: HTTP and raw run in alternating slices, so a burst of someone else's load
      // falls on both sides rather than on one.
      const slices = Number(process.env.BILLING_BENCH_SLICES ?? 4);
      let httpMs = 0;
      let rawMs = 0;
      const sliceRatios: string[] = [];
      // CPU seconds per payment of each side, from /proc (Linux): this process (clients, or clients and
      // server), the web processes, the database server, Redis.
      const cpu = { http: new Map<string, number>(), raw: new Map<string, number>() };
      const processes = cpuProcesses(web?.pids ?? []);
      const account = async (side: Map<string, number>, run: () => Promise<void>) => {
        const before = processes.map((p) => cpuSeconds(p.pid));
        await run();
        // A process that went away meanwhile (someone restarted Redis) is left out, not printed as NaN.
        processes.forEach((p, i) => {
          const used = cpuSeconds(p.pid) - before[i];
          if (Number.isFinite(used)) side.set(p.name, (side.get(p.name) ?? 0) + used);
        });
      };
      for (let slice = 0; slice < slices; slice++) {
        const from = Math.floor((payments * slice) / slices);
        const size = Math.floor((payments * (slice + 1)) / slices) - from;
        const httpSlice = await timed(() => account(cpu.http, async () => {
          await pool(CLIENTS, size, (k) => {
            const i = from + k;
            return post('/payments', { customer_id: customers[i % customers.length], journal_id: cash, amount: 100 + (i % 50), method: 'cash', reference: `B-${i}` }, urls[i % urls.length]);
          });
          // The HTTP side's own after-commit work (outbox rows to relay, jobs to hand to the queue) is
          // part of its cost: left running, it would land in the raw slice that follows and slow that.
          await drained(knex);
        }));
        const rawSlice = await timed(() => account(cpu.raw, () => rawPayments(knex, database.url, mysql, companyId, customers, cash, size, from)));
        httpMs += httpSlice;
        rawMs += rawSlice;
        sliceRatios.push((rawSlice / httpSlice).toFixed(2));
      }
      const httpRate = (payments * 1000) / httpMs;
      const rawRate = (payments * 1000) / rawMs;
      print(`billing payments over HTTP, ${CLIENTS} clients: ${httpRate.toFixed(0)} /s`);
      print(`billing payments, raw ${mysql ? 'mysql2' : 'knex'} transaction (baseline), ${CLIENTS} clients: ${rawRate.toFixed(0)} /s`);
      print(`billing payments http/raw ratio: ${(httpRate / rawRate).toFixed(2)} (aim ≥ 0.5; slices ${sliceRatios.join(' ')})`);
      for (const [side, used] of Object.entries(cpu)) {
        if (used.size) print(`billing payments, CPU ms per payment, ${side}: ${[...used].map(([name, s]) => `${name} ${((s * 1000) / payments).toFixed(2)}`).join(', ')}`);
      }
      if (process.env.BILLING_BENCH_PAYMENTS_ONLY === '1') return;

      // 2. A 20-line invoice, created and posted over HTTP.
      const lines = Array.from({ length: 20 }, (_, i) => ({ product_code: i % 2 ? 'BOX' : 'SRV', quantity: 1 + i }));
      const posting: number[] = [];
      for (let i = 0; i < 30; i++) posting.push(await timed(() => post('/invoices', { customer_id: customers[i % customers.length], lines, post: true })));
      print(`billing post a 20-line invoice over HTTP: p50 ${p50(posting).toFixed(1)} ms`);

      // 3. A statement of 10,000 ledger rows.
      const heavy = customers[0];
      const now = new Date();
      const have = Number((await knex('billing_ledger').where({ company_id: companyId, customer_id: heavy }).count({ n: '*' }).first())!.n);
      const rows = Array.from({ length: Math.max(0, 10_000 - have) }, (_, i) => ({ company_id: companyId, customer_id: heavy, entry_date: '2026-01-01', kind: 'payment', amount: -1, description: `Bench row ${i}`, created_at: now }));
      for (let i = 0; i < rows.length; i += 1000) await knex('billing_ledger').insert(rows.slice(i, i + 1000));
      const statement: number[] = [];
      for (let i = 0; i < 15; i++) statement.push(await timed(() => statementOf(ctx.db, heavy)));
      const overHttp: number[] = [];
      for (let i = 0; i < 10; i++) overHttp.push(await timed(async () => (await fetch(`${url}/api/v1/billing/customers/${heavy}/statement`, { headers })).json()));
      print(`billing statement of 10,000 ledger rows: p50 ${p50(statement).toFixed(1)} ms (service), ${p50(overHttp).toFixed(1)} ms (HTTP, JSON of the latest 1,000 lines) (aim < 50 ms)`);

      // 4. Aged receivables over the invoices.
      const loadStarted = performance.now();
      await bulkInvoices(knex, companyId, customers, cash, invoicesWanted, mysql);
      const loaded = performance.now() - loadStarted;
      const aged: number[] = [];
      for (let i = 0; i < 5; i++) aged.push(await timed(() => agedReceivables(ctx)));
      print(`billing aged receivables over ${invoicesWanted.toLocaleString('en-US')} invoices: p50 ${p50(aged).toFixed(0)} ms (aim < 2000 ms; loaded in ${(loaded / 1000).toFixed(0)} s)`);

      // 5. Selective billing of N customers from a template quote.
      const quote = await s.documents.createQuote(ctx, { customerId: customers[0], lines: [{ productCode: 'SRV', quantity: 1 }, { productCode: 'DLV', quantity: 1 }] });
      const ids = Array.from({ length: selectiveWanted }, (_, i) => 10_000_000 + i);
      const runId = await ctx.db.insert('billing_selective_runs', { status: 'queued', criteria: JSON.stringify({ template_quote_id: quote.id }), customer_ids: JSON.stringify(ids), total: ids.length }, { audit: false });
      const selective = new SelectiveBilling(s);
      let made = 0;
      const runMs = await timed(async () => (made = (await selective.run(ctx, runId, async () => undefined)).invoices));
      print(`billing selective run of ${selectiveWanted.toLocaleString('en-US')} customers: ${((made * 1000) / runMs).toFixed(0)} invoices/s (${(runMs / 1000).toFixed(0)} s)`);
    } finally {
      server.close();
    }
  } finally {
    await web?.stop().catch(() => undefined);
    await rawPool?.end().catch(() => undefined);
    rawPool = null;
    await kernel?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
  }
}

/** The same rows as a paid payment, written by hand: lock the account, payment, residual, allocation, ledger, balance. */
async function rawPayments(knex: Knex, dbUrl: string, mysql: boolean, companyId: number, customers: number[], journalId: number, count: number, from = 0): Promise<void> {
  const now = new Date();
  if (!mysql) {
    await pool(CLIENTS, count, (k) => knex.transaction(async (trx) => {
      const i = from + k;
      const customer = customers[i % customers.length];
      const amount = 100 + (i % 50);
      await trx('billing_accounts').where({ company_id: companyId, customer_id: customer }).first();
      const [id] = await trx('billing_payments').insert({ company_id: companyId, customer_id: customer, journal_id: journalId, amount, currency: 'EUR', method: 'cash', reference: `RAW-${i}`, status: 'paid', unallocated: 0, created_at: now, updated_at: now });
      const inv = await trx('billing_documents').where({ company_id: companyId, customer_id: customer, kind: 'invoice', status: 'posted' }).where('residual', '>', 0).orderBy('issue_date').orderBy('id').first('id');
      await trx('billing_documents').where({ id: inv.id }).where('residual', '>=', amount).update({ residual: trx.raw('residual - ?', [amount]) });
      await trx('billing_allocations').insert({ company_id: companyId, customer_id: customer, source_kind: 'payment', source_id: id, invoice_id: inv.id, amount, created_at: now });
      await trx('billing_ledger').insert({ company_id: companyId, customer_id: customer, entry_date: '2026-01-01', kind: 'payment', payment_id: id, amount: -amount, description: 'raw', created_at: now });
      await trx('billing_accounts').where({ company_id: companyId, customer_id: customer }).update({ balance: trx.raw('balance - ?', [amount]) });
    }));
    return;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mysql2 = require('mysql2/promise') as typeof import('mysql2/promise');
  // One pool for every slice (made at the first), so no slice pays for opening connections.
  rawPool ??= mysql2.createPool({ uri: dbUrl, connectionLimit: CLIENTS });
  const connections = rawPool;
  await pool(CLIENTS, count, async (k) => {
    const i = from + k;
    const c = await connections.getConnection();
    const customer = customers[i % customers.length];
    const amount = 100 + (i % 50);
    try {
      await c.beginTransaction();
      await c.query('SELECT balance FROM billing_accounts WHERE company_id = ? AND customer_id = ? FOR UPDATE', [companyId, customer]);
      const [res] = await c.query('INSERT INTO billing_payments (company_id, customer_id, journal_id, amount, currency, method, reference, status, unallocated, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)', [companyId, customer, journalId, amount, 'EUR', 'cash', `RAW-${i}`, 'paid', 0, now, now]);
      const paymentId = (res as { insertId: number }).insertId;
      const [inv] = await c.query("SELECT id FROM billing_documents WHERE company_id = ? AND customer_id = ? AND kind = 'invoice' AND status = 'posted' AND residual > 0 ORDER BY issue_date, id LIMIT 1 FOR UPDATE", [companyId, customer]);
      const invoiceId = (inv as Array<{ id: number }>)[0].id;
      await c.query('UPDATE billing_documents SET residual = residual - ? WHERE id = ? AND residual >= ?', [amount, invoiceId, amount]);
      await c.query('INSERT INTO billing_allocations (company_id, customer_id, source_kind, source_id, invoice_id, amount, created_at) VALUES (?,?,?,?,?,?,?)', [companyId, customer, 'payment', paymentId, invoiceId, amount, now]);
      await c.query('INSERT INTO billing_ledger (company_id, customer_id, entry_date, kind, payment_id, amount, description, created_at) VALUES (?,?,?,?,?,?,?,?)', [companyId, customer, '2026-01-01', 'payment', paymentId, -amount, 'raw', now]);
      await c.query('UPDATE billing_accounts SET balance = balance - ? WHERE company_id = ? AND customer_id = ?', [amount, companyId, customer]);
      await c.commit();
    } catch (error) {
      await c.rollback();
      throw error;
    } finally {
      c.release();
    }
  });
}

let rawPool: import('mysql2/promise').Pool | null = null;

/** The processes whose CPU the payments figure accounts for, those /proc shows (none off Linux). */
function cpuProcesses(webPids: number[]): Array<{ name: string; pid: string }> {
  const found: Array<{ name: string; pid: string }> = [{ name: webPids.length ? 'bench' : 'bench+server', pid: 'self' }];
  webPids.forEach((pid, i) => found.push({ name: `web${webPids.length > 1 ? i + 1 : ''}`, pid: String(pid) }));
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const pid of entries) {
    let comm = '';
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (comm === 'mariadbd' || comm === 'mysqld') found.push({ name: 'database', pid });
    if (comm === 'redis-server') found.push({ name: 'redis', pid });
  }
  return found.filter((p) => !Number.isNaN(cpuSeconds(p.pid)));
}

/** User + system CPU seconds of a process so far. */
function cpuSeconds(pid: string): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Waits until no committed event waits for the outbox relay and no waiting job for its hand-over. */
async function drained(knex: Knex): Promise<void> {
  // Only bull records a hand-over (relayed_at); the embedded queue's jobs wait in the table for its poller.
  const bull = Boolean(process.env.REDIS_URL);
  const giveUp = Date.now() + 30_000;
  while (Date.now() < giveUp) {
    const outbox = await knex('core_outbox').whereNull('dispatched_at').first('id');
    const job = outbox || !bull ? null : await knex('core_jobs').where({ status: 'waiting' }).whereNull('relayed_at').where('run_after', '<=', new Date()).first('id');
    if (!outbox && !job) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Posted invoices in bulk (multi-row inserts), due dates spread over a year, for the aged report. */
async function bulkInvoices(knex: Knex, companyId: number, customers: number[], journalId: number, count: number, mysql: boolean): Promise<void> {
  const have = Number((await knex('billing_documents').where({ company_id: companyId, kind: 'invoice' }).count({ n: '*' }).first())!.n);
  const now = new Date();
  const batch = mysql ? 5000 : 500;
  for (let start = have; start < count; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const due = new Date(Date.UTC(2026, 0, 1) - (i % 365) * 86_400_000).toISOString().slice(0, 10);
      rows.push({ company_id: companyId, kind: 'invoice', customer_id: customers[i % customers.length], journal_id: journalId, number: `BULK-${i}`, status: 'posted', currency: 'EUR', subtotal: 1000, tax: 0, total: 1000, residual: 1000 - (i % 3) * 300, tax_exempt: false, issue_date: due, due_date: due, metadata: '{}', created_at: now, updated_at: now });
    }
    await knex('billing_documents').insert(rows);
  }
  await knex.raw(mysql ? 'ANALYZE TABLE billing_documents' : 'ANALYZE');
}

if (require.main === module) {
  runBillingBench((line) => process.stdout.write(line + '\n')).then(() => process.exit(0), (error) => {
    process.stderr.write(`billing bench failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
