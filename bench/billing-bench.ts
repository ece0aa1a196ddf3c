/**
 * billing's figures for `npm run bench`, one `name: value unit` a line (MariaDB with DATABASE_URL):
 *  - payments per second posted over HTTP by 8 concurrent clients, against the raw transaction doing the
 *    same rows (account lock, payment, guarded residual update, allocation, ledger row, balance) with
 *    mysql2 in the same run, and their ratio (aim ≥ 0.5): BILLING_BENCH_PAYMENTS (4,000) in 8 alternating
 *    slices, after BILLING_BENCH_WARMUP (2,000) uncounted ones on each side, since a server runs warm; the
 *    fresh process's first 250 are printed apart as the cold ratio. The server runs in
 *    BILLING_BENCH_WEB web processes of its own (default 1 on MariaDB; 0 = in the bench's process);
 *    BILLING_BENCH_PAYMENTS_ONLY=1 stops after this figure; BILLING_BENCH_EVERY=0 and BILLING_BENCH_ALONE=0
 *    leave out its run with every module installed and with base, crm and billing alone;
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
import { jsonClient } from './http-client';
import { closeRawPool, paymentsFigure } from './billing-payments';
import { startWebProcesses, type WebProcesses } from './web-processes';

const ADMIN = { email: 'admin@billing.bench', password: 'billing-bench-password' };
const CLIENTS = 8;
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function runBillingBench(print: (line: string) => void): Promise<void> {
  const database = await createTestDatabase();
  const mysql = !database.url.startsWith('sqlite:');
  const payments = Number(process.env.BILLING_BENCH_PAYMENTS ?? 4000);
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
    const bootConfig = { instanceName, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin: ADMIN, logLevel: 'silent' as const, demo: true };
    kernel = await Kernel.boot({ config: bootConfig });
    let knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: ADMIN.email }).first('id')).id);
    let ctx = await kernel.contexts.forUser(adminId, companyId);
    const s = makeServices();
    // Enough customers that 8 clients rarely queue on one customer's account lock (as at a real till).
    const crm = kernel.container.get<any>(Symbol.for('crm.CustomerService'));
    const shopId = Number((await knex('base_shops').where({ company_id: companyId }).first('id')).id);
    for (let i = 0; i < Number(process.env.BILLING_BENCH_CUSTOMERS ?? 100); i++) await crm.create(ctx, { first_name: 'Bench', last_name: `Customer ${i}`, shop_id: shopId });
    const customers = await knex('crm_customers').where({ company_id: companyId }).pluck('id');
    const cash = Number((await knex('billing_journals').where({ company_id: companyId, code: 'CSH' }).first('id')).id);
    const own = await kernel.listen(0);
    let { server } = own;
    let ownUrl = own.url;
    web = webProcesses > 0 ? await startWebProcesses(webProcesses, database.url, instanceName) : null;
    let urls = web?.urls ?? [ownUrl];
    let url = urls[0];
    print(`billing bench server: ${web ? `${webProcesses} web process${webProcesses > 1 ? 'es' : ''} of its own (MariaDB + Redis as \`tessera serve\` runs)` : 'in the bench\'s process, beside its HTTP clients'}`);
    const token = (await kernel.tokens.createFor(adminId, 'bench')).token;
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' };
    const client = jsonClient({ Authorization: `Bearer ${token}` }, CLIENTS);
    const post = async (path: string, body: unknown, to = url) => {
      const res = await client.request('POST', `${to}/api/v1/billing${path}`, body);
      if (res.status >= 300) throw new Error(`${path}: ${res.status} ${res.body}`);
      return res.json();
    };
    try {
      // 1. Payments over HTTP vs the raw transaction: with every module installed (messaging sends a receipt,
      // schemes looks for pay plans), then with billing and what it depends on alone, the rows the issue names.
      for (const c of customers) await s.documents.createInvoice(ctx, { customerId: c, lines: [{ productCode: 'SRV', quantity: 100_000 }], post: true });
      const figure = (label: string) => paymentsFigure({ knex, databaseUrl: database.url, mysql, companyId, customers, journalId: cash, payments, webPids: web?.pids ?? [], label, post: (body, i) => post('/payments', body, urls[i % urls.length]) }, print);
      if (process.env.BILLING_BENCH_EVERY !== '0') await figure('every module installed');
      if (process.env.BILLING_BENCH_ALONE !== '0') {
        await web?.stop();
        for (const name of ['loyalty', 'schemes', 'messaging']) await kernel.lifecycle.uninstall(name, { dropData: true });
        server.close();
        await kernel.close();
        kernel = await Kernel.boot({ config: { ...bootConfig, demo: false } });
        knex = kernel.knex;
        ctx = await kernel.contexts.forUser(adminId, companyId);
        const listening = await kernel.listen(0);
        server = listening.server;
        ownUrl = listening.url;
        web = webProcesses > 0 ? await startWebProcesses(webProcesses, database.url, instanceName) : null;
        urls = web?.urls ?? [ownUrl];
        url = urls[0];
        await figure('base, crm and billing');
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
      client.close();
      server.close();
    }
  } finally {
    await web?.stop().catch(() => undefined);
    await closeRawPool();
    await kernel?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
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
