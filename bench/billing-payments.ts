/**
 * Issue 9's payments figure: payments posted over HTTP by 8 concurrent clients against the raw mysql2
 * transaction that writes the same rows (account lock, payment, guarded residual update, allocation,
 * ledger row, balance), in alternating slices, with the CPU each process spent per payment.
 */
import type { Knex } from 'knex';
import { pool, timed } from './bench-tools';
import { cpuAccount, cpuProcesses } from './process-cpu';

const CLIENTS = 8;

export interface PaymentsRun {
  knex: Knex;
  databaseUrl: string;
  mysql: boolean;
  companyId: number;
  customers: number[];
  journalId: number;
  payments: number;
  /** The web processes serving the HTTP side (their CPU is accounted apart). */
  webPids: number[];
  /** What is installed, printed in each line. */
  label: string;
  /** Posts the i-th payment over HTTP. */
  post(body: Record<string, unknown>, i: number): Promise<unknown>;
}

let runs = 0;

export async function paymentsFigure(run: PaymentsRun, print: (line: string) => void): Promise<void> {
  const { knex, databaseUrl, mysql, companyId, customers, journalId, payments } = run;
  // References unique across the runs of one bench: a second run must not replay the first's payments.
  const prefix = `B${++runs}`;
  // The machine is shared: HTTP and raw run in alternating slices, so a burst of someone else's load
  // falls on both sides rather than on one.
  const slices = Number(process.env.BILLING_BENCH_SLICES ?? 8);
  const post = (i: number) => run.post({ customer_id: customers[i % customers.length], journal_id: journalId, amount: 100 + (i % 50), method: 'cash', reference: `${prefix}-${i}` }, i);
  // A server runs for hours: its first payments pay for compiling the code they run (V8's optimising
  // compiler works on threads of the same process, counted in its CPU). Both sides warm up, uncounted,
  // before the slices; the first warm-up slice is printed as the cold figure, so the cost is not hidden.
  const warmup = Number(process.env.BILLING_BENCH_WARMUP ?? 2000);
  if (warmup > 0) {
    const coldSize = Math.min(warmup, 250);
    const coldHttp = await timed(async () => {
      await pool(CLIENTS, coldSize, (k) => post(payments + k));
      await drained(knex);
    });
    const coldRaw = await timed(() => rawPayments(knex, databaseUrl, mysql, companyId, customers, journalId, coldSize, payments, prefix));
    print(`billing payments http/raw ratio, ${run.label}, the fresh process's first ${coldSize} (warm-up, not counted): ${(coldRaw / coldHttp).toFixed(2)}`);
    await pool(CLIENTS, warmup - coldSize, (k) => post(payments + coldSize + k));
    await drained(knex);
    await rawPayments(knex, databaseUrl, mysql, companyId, customers, journalId, warmup - coldSize, payments + coldSize, prefix);
  }
  let httpMs = 0;
  let rawMs = 0;
  const sliceRatios: string[] = [];
  // CPU seconds per payment of each side, from /proc (Linux): this process (clients, or clients and
  // server), the web processes, the database server, Redis.
  const cpu = { http: new Map<string, number>(), raw: new Map<string, number>() };
  const processes = cpuProcesses(run.webPids.length ? 'bench' : 'bench+server', run.webPids);
  const account = cpuAccount(processes);
  for (let slice = 0; slice < slices; slice++) {
    const from = Math.floor((payments * slice) / slices);
    const size = Math.floor((payments * (slice + 1)) / slices) - from;
    const httpSlice = await timed(() => account(cpu.http, async () => {
      await pool(CLIENTS, size, (k) => post(from + k));
      // The HTTP side's own after-commit work (outbox rows to relay, jobs to hand to the queue) is
      // part of its cost: left running, it would land in the raw slice that follows and slow that.
      await drained(knex);
    }));
    const rawSlice = await timed(() => account(cpu.raw, () => rawPayments(knex, databaseUrl, mysql, companyId, customers, journalId, size, from, prefix)));
    httpMs += httpSlice;
    rawMs += rawSlice;
    sliceRatios.push((rawSlice / httpSlice).toFixed(2));
  }
  const httpRate = (payments * 1000) / httpMs;
  const rawRate = (payments * 1000) / rawMs;
  print(`billing payments over HTTP, ${CLIENTS} clients, ${run.label}: ${httpRate.toFixed(0)} /s`);
  print(`billing payments, raw ${mysql ? 'mysql2' : 'knex'} transaction (baseline), ${CLIENTS} clients, ${run.label}: ${rawRate.toFixed(0)} /s`);
  print(`billing payments http/raw ratio, ${run.label}: ${(httpRate / rawRate).toFixed(2)} (aim ≥ 0.5; slices ${sliceRatios.join(' ')})`);
  for (const [side, used] of Object.entries(cpu)) {
    if (used.size) print(`billing payments, CPU ms per payment, ${run.label}, ${side}: ${[...used].map(([name, s]) => `${name} ${((s * 1000) / payments).toFixed(2)}`).join(', ')}`);
  }
}

/** The same rows as a paid payment, written by hand: lock the account, payment, residual, allocation, ledger, balance. */
async function rawPayments(knex: Knex, dbUrl: string, mysql: boolean, companyId: number, customers: number[], journalId: number, count: number, from: number, prefix: string): Promise<void> {
  const now = new Date();
  if (!mysql) {
    await pool(CLIENTS, count, (k) => knex.transaction(async (trx) => {
      const i = from + k;
      const customer = customers[i % customers.length];
      const amount = 100 + (i % 50);
      await trx('billing_accounts').where({ company_id: companyId, customer_id: customer }).first();
      const [id] = await trx('billing_payments').insert({ company_id: companyId, customer_id: customer, journal_id: journalId, amount, currency: 'EUR', method: 'cash', reference: `RAW-${prefix}-${i}`, status: 'paid', unallocated: 0, created_at: now, updated_at: now });
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
      const [res] = await c.query('INSERT INTO billing_payments (company_id, customer_id, journal_id, amount, currency, method, reference, status, unallocated, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)', [companyId, customer, journalId, amount, 'EUR', 'cash', `RAW-${prefix}-${i}`, 'paid', 0, now, now]);
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


/** Ends the raw side's connections (made once for every slice and run). */
export async function closeRawPool(): Promise<void> {
  await rawPool?.end().catch(() => undefined);
  rawPool = null;
}
