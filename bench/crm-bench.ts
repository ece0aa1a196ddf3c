/**
 * crm's figures for `npm run bench`, one `name: value unit` a line:
 *  - the CSV import of 100,000 new customers (CRM_BENCH_IMPORT_ROWS) for a new company, its re-run
 *    (every row unchanged) and the ratio to a raw multi-row insert of the same rows; then an import
 *    of 20,000 into the company of the million, against the raw insert of those rows there;
 *  - the customer list (search, filters, sort, keyset pages), the group service and the whole page
 *    over HTTP at scale, timed in the server: median and p95 of repeated runs. Target: under 50 ms.
 * Scale: a million customers on MySQL/MariaDB, 100,000 on SQLite (CRM_BENCH_CUSTOMERS overrides).
 * Takes about 6 to 10 minutes at a million on two cores (mostly loading and the imports).
 *
 * Database: a fresh database on DATABASE_URL's server (dropped at the end), else a temporary SQLite file.
 * CRM_BENCH_KEEP_DB=1 keeps it (for query plans), CRM_BENCH_LOAD_ONLY=1 stops after loading,
 * CRM_BENCH_IMPORT_ONLY=1 skips the list and group timings.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { Kernel } from '../core/kernel/kernel';
import { CORE } from '../core/kernel/identifiers';
import { createTestDatabase } from '../test/support/test-database';
import { CRM, type CustomerGroupService, type CustomerService } from '../modules/crm/api';
import { searchColumns } from '../modules/crm/customers/customer-normalize';
import { runImport } from '../core/imports/import-run';
import { customerImport } from '../modules/crm/import/customer-import';

const importCustomers = (ctx: Parameters<typeof runImport>[0], csv: string, o: { matchBy: string }) => runImport(ctx, customerImport, csv, { key: o.matchBy });
import type { CustomerCriteria, CustomerSort } from '../modules/crm/customers/customer-types';
import { loginCookie } from './session';
import { ms, seconds, timeIt, withIndexesRebuilt } from './bench-tools';

const ADMIN = { email: 'admin@crm.bench', password: 'crm-bench-password' };
const FIRST = ['ann', 'bob', 'carla', 'david', 'emma', 'farid', 'gina', 'hugo', 'ines', 'jon', 'kim', 'luca', 'maya', 'nils', 'olga', 'paul', 'quinn', 'rosa', 'sami', 'tara', 'ugo', 'vera', 'will', 'xena', 'yann', 'zoe'];
const SYLLABLES = ['ba', 'ko', 'ri', 'mel', 'dan', 'tor', 'vik', 'lu', 'sen', 'par', 'gro', 'fin', 'hal', 'mor', 'nes', 'quo', 'ste', 'war', 'zel', 'jin'];

/** Deterministic names: 20^3 = 8,000 last names; a 3-letter prefix selects 1/400 of the table, or 1/20 when it is a 3-letter syllable. */
function lastName(i: number): string {
  const a = SYLLABLES[i % 20];
  const b = SYLLABLES[Math.floor(i / 20) % 20];
  const c = SYLLABLES[Math.floor(i / 400) % 20];
  return (a + b + c).replace(/^./, (ch) => ch.toUpperCase());
}

/** A well-mixed 32-bit hash: attributes drawn from it are independent of each other and of the order. */
function hash(i: number, salt: number): number {
  let x = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A phone belongs to one customer of a company: each person of a company has a phone of its own. The
 * 8 digits are i times a number prime to 10^8 (a bijection, so no two are equal, spread like real
 * numbers); the leading digits tell apart the sets of rows that land in one company.
 */
function phoneOf(i: number, codePrefix: string): string {
  const lead = ({ 'IB-': '07', 'RB-': '05' } as Record<string, string>)[codePrefix] ?? '06';
  return `${lead}${String((i * 48_271 + 12_345_678) % 100_000_000).padStart(8, '0')}`;
}

function person(i: number, codePrefix: string) {
  const first = FIRST[hash(i, 1) % FIRST.length].replace(/^./, (ch) => ch.toUpperCase());
  const last = lastName(hash(i, 2) % 8000);
  const month = 1 + (hash(i, 4) % 12);
  const tagDraw = hash(i, 5) % 2000;
  return {
    code: `${codePrefix}${String(i).padStart(7, '0')}`,
    first_name: first,
    last_name: last,
    phone: phoneOf(i, codePrefix),
    email: `${first}.${last}.${i}@example.com`.toLowerCase(),
    birthdate: `${1950 + (hash(i, 7) % 55)}-${String(month).padStart(2, '0')}-${String(1 + (hash(i, 8) % 28)).padStart(2, '0')}`,
    // 10% vip, 10% newsletter, 0.05% rare: a common and a rare tag for the filters.
    tag: tagDraw < 200 ? 'vip' : tagDraw < 400 ? 'newsletter' : tagDraw === 400 ? 'rare' : '',
    shop: hash(i, 3),
  };
}

export async function runCrmBench(print: (line: string) => void): Promise<void> {
  const database = await createTestDatabase();
  const mysql = !database.url.startsWith('sqlite:');
  const customersWanted = Number(process.env.CRM_BENCH_CUSTOMERS ?? (mysql ? 1_000_000 : 100_000));
  const importRows = Number(process.env.CRM_BENCH_IMPORT_ROWS ?? 100_000);
  let kernel: Kernel | null = null;
  try {
    kernel = await Kernel.boot({
      config: { instanceName: `crm-bench-${process.pid}-${crypto.randomBytes(3).toString('hex')}`, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin: ADMIN, logLevel: 'silent', demo: true },
    });
    const knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: ADMIN.email }).first('id')).id);
    const ctx = await kernel.contexts.forUser(adminId, companyId);
    const shopService = kernel.container.get<any>(Symbol.for('base.ShopService'));
    for (let i = (await shopService.list(ctx)).length; i < 10; i++) await shopService.create(ctx, { code: `BENCH${i}`, name: `Bench shop ${i}` });
    const shops: Array<{ id: number; code: string }> = (await shopService.list(ctx)).filter((s: any) => Number(s.company_id) === companyId);

    // 1. The table at scale.
    const loadStarted = performance.now();
    if (mysql) await withIndexesRebuilt(knex, 'crm_customers', () => bulkLoad(knex, companyId, adminId, shops, customersWanted));
    else await bulkLoad(knex, companyId, adminId, shops, customersWanted);
    if (mysql) await knex.raw('ANALYZE TABLE crm_customers, crm_customer_tags');
    else await knex.raw('ANALYZE');
    const total = Number((await knex('crm_customers').where({ company_id: companyId }).count({ n: '*' }).first())!.n);
    print(`crm customers loaded: ${total.toLocaleString('en-US')} in ${seconds(performance.now() - loadStarted)} (${mysql ? 'mysql/mariadb' : 'sqlite'})`);
    if (process.env.CRM_BENCH_LOAD_ONLY === '1') return;

    // 2. Import: into a company of its own (a new company taking on its customer file), then next to
    //    the million, each against a raw multi-row insert of the same rows into the same place.
    //    With a buffer pool smaller than the working set (MariaDB's default 128 MB), a write phase
    //    that follows another pays for flushing its pages: each phase waits for the pool to settle.
    const fresh = await newCompany(kernel, adminId, 'IMP');
    const freshCtx = await kernel.contexts.forUser(adminId, fresh.companyId);
    const csv = importCsv(importRows, fresh.shops, 'IM-');
    await settle(knex);
    const importStarted = performance.now();
    const report = await importCustomers(freshCtx, csv, { matchBy: 'auto' });
    const importMs = performance.now() - importStarted;
    if (report.created !== importRows) throw new Error(`import created ${report.created} of ${importRows} (${report.error_count} errors: ${JSON.stringify(report.errors.slice(0, 3))})`);
    print(`crm import ${importRows.toLocaleString('en-US')} new customers: ${seconds(importMs)} (${Math.round(importRows / (importMs / 1000)).toLocaleString('en-US')} rows/s)`);
    const againStarted = performance.now();
    const again = await importCustomers(freshCtx, csv, { matchBy: 'auto' });
    print(`crm re-import of the same file (${again.unchanged.toLocaleString('en-US')} unchanged, ${again.created} created): ${seconds(performance.now() - againStarted)}`);
    const rawTarget = await newCompany(kernel, adminId, 'RAW');
    await settle(knex);
    const rawMs = await rawInsert(knex, importRows, rawTarget.companyId, rawTarget.shops, adminId, 'IM-');
    print(`crm raw multi-row insert of the same ${importRows.toLocaleString('en-US')} rows: ${seconds(rawMs)}`);
    print(`crm import/raw insert ratio: ${(importMs / rawMs).toFixed(2)}`);

    const beside = Number(process.env.CRM_BENCH_IMPORT_BESIDE_ROWS ?? Math.min(importRows, 20_000));
    const besideCsv = importCsv(beside, shops, 'IB-');
    await settle(knex);
    const besideStarted = performance.now();
    await importCustomers(ctx, besideCsv, { matchBy: 'auto' });
    const besideMs = performance.now() - besideStarted;
    await settle(knex);
    const besideRawMs = await rawInsert(knex, beside, companyId, shops, adminId, 'RB-');
    const pool = mysql ? Number((await knex.raw('select @@innodb_buffer_pool_size as b'))[0][0].b) / 1024 / 1024 : null;
    print(
      `crm import ${beside.toLocaleString('en-US')} customers into the company of ${total.toLocaleString('en-US')}: ${seconds(besideMs)} (${Math.round(beside / (besideMs / 1000)).toLocaleString('en-US')} rows/s); raw insert of the same rows there: ${seconds(besideRawMs)}; ratio ${(besideMs / besideRawMs).toFixed(2)}${pool ? `; innodb_buffer_pool_size ${pool} MB` : ''}`,
    );

    const listing = process.env.CRM_BENCH_IMPORT_ONLY !== '1';
    // 3. The list, through the service.
    const customers = kernel.container.get<CustomerService>(CRM.Customers);
    const groups = kernel.container.get<CustomerGroupService>(CRM.CustomerGroups);
    const sample = person(Math.floor(customersWanted / 2), 'CU-B');
    const middle = await customers.search(ctx, {}, { sort: 'name', limit: 50 });
    let deepCursor = middle.next_cursor;
    for (let i = 0; i < 20 && deepCursor; i++) deepCursor = (await customers.search(ctx, {}, { sort: 'name', limit: 50, after: deepCursor })).next_cursor;
    const byShop = await groups.create(ctx, { name: 'Bench by shop', type: 'shop', shop_ids: [shops[0].id, shops[1].id] });
    const byCustomer = await groups.create(ctx, { name: 'Bench VIP', type: 'customer', search: { tag: 'vip', birth_month: 3 } });
    const scenarios: Array<[string, CustomerCriteria, CustomerSort?, string?]> = [
      ['first page by name', {}],
      ['page 21 by name (keyset)', {}, 'name', deepCursor ?? undefined],
      ['newest first', {}, '-created'],
      ['q = 6 digits of a phone', { q: sample.phone.slice(0, 6) }],
      ['q = 3 letters of a last name', { q: sample.last_name.slice(0, 3) }],
      ['q = first name + last name prefix', { q: `${sample.first_name} ${sample.last_name.slice(0, 2)}` }],
      ['q = e-mail prefix', { q: sample.email.slice(0, 12) }],
      ['q = code prefix', { q: sample.code.slice(0, 8) }],
      ['q = 1 letter (worst case)', { q: 'k' }],
      ['shop filter', { shop_ids: [shops[2].id] }],
      ['shop filter, newest first', { shop_ids: [shops[2].id] }, '-created'],
      ['tag filter (10% of customers)', { tag: 'vip' }],
      ['tag filter (0.05% of customers)', { tag: 'rare' }],
      ['two shops filter', { shop_ids: [shops[4].id, shops[5].id] }],
      ['group filter (by customer)', { group_id: byCustomer.id }],
      ['tag + birthday month filters', { tag: 'vip', birth_month: 2 }],
      ['birthday month filter', { birth_month: 7 }],
      ['created between', { created_from: new Date(Date.now() - 200 * 86_400_000).toISOString().slice(0, 10), created_to: new Date(Date.now() - 100 * 86_400_000).toISOString().slice(0, 10) }],
      ['group filter (by shop)', { group_id: byShop.id }],
      ['q = last name + shop + birth month', { q: sample.last_name.slice(0, 4), shop_ids: [shops[3].id], birth_month: 5 }],
    ];
    for (const [label, criteria, sort, after] of listing ? scenarios : []) {
      const t = await timeIt(() => customers.search(ctx, criteria, { sort: sort ?? 'name', limit: 50, after: after ?? null }));
      print(`crm list ${label}: p50 ${ms(t.p50)}, p95 ${ms(t.p95)}`);
    }

    // 4. The group service other modules call.
    const someId = Number((await knex('crm_customers').where({ company_id: companyId, shop_id: shops[0].id }).orderBy('id', 'desc').first('id')).id);
    const timings: Array<[string, () => Promise<unknown>]> = [
      ['crm group isMember (by shop)', () => groups.isMember(ctx, byShop.id, someId)],
      ['crm group isMember (by customer)', () => groups.isMember(ctx, byCustomer.id, someId)],
      ['crm group groupsOf', () => groups.groupsOf(ctx, someId)],
      ['crm group members page (by shop, 1,000)', () => groups.members(ctx, byShop.id, { limit: 1000 })],
      ['crm group members page (by customer, 1,000)', () => groups.members(ctx, byCustomer.id, { limit: 1000 })],
    ];
    for (const [label, fn] of listing ? timings : []) {
      const t = await timeIt(fn);
      print(`${label}: p50 ${ms(t.p50)}, p95 ${ms(t.p95)}`);
    }
    const countTime = await timeIt(() => groups.count(ctx, byShop.id), 5);
    print(`crm group count (by shop, ${(await groups.count(ctx, byShop.id)).toLocaleString('en-US')} members): p50 ${ms(countTime.p50)}`);
    const streamStarted = performance.now();
    let streamed = 0;
    for await (const batch of groups.streamMembers(ctx, byShop.id, { batchSize: 5000 })) streamed += batch.length;
    print(`crm group stream every member (by shop): ${streamed.toLocaleString('en-US')} in ${seconds(performance.now() - streamStarted)}`);

    // 5. The whole page over HTTP, server included (session, permissions, render).
    const { url, server } = await kernel.listen(0);
    try {
      const cookie = await loginCookie(url, ADMIN.email, ADMIN.password);
      for (const [label, query] of [
        ['crm page /crm/customers', ''],
        ['crm page /crm/customers?q=<phone prefix>', `?q=${sample.phone.slice(0, 6)}`],
        ['crm page /crm/customers?q=<name prefix>', `?q=${sample.last_name.slice(0, 3)}`],
      ] as const) {
        const t = await timeIt(async () => {
          const res = await fetch(url + '/crm/customers' + query, { headers: { cookie } });
          if (res.status !== 200) throw new Error(`${label} answered ${res.status}`);
          await res.text();
        });
        print(`${label}: p50 ${ms(t.p50)}, p95 ${ms(t.p95)}`);
      }
    } finally {
      server.close();
    }

  } finally {
    await kernel?.close().catch(() => undefined);
    // CRM_BENCH_KEEP_DB=1 leaves the loaded database for looking at query plans (its URL is printed).
    if (process.env.CRM_BENCH_KEEP_DB === '1') print(`crm bench database kept: ${database.url}`);
    else await database.drop().catch(() => undefined);
  }
}

/** Rows straight into the tables, thousands a statement: the bench's table, not what it measures. */
async function bulkLoad(knex: Knex, companyId: number, userId: number, shops: Array<{ id: number }>, wanted: number): Promise<void> {
  const existing = Number((await knex('crm_customers').where({ company_id: companyId }).count({ n: '*' }).first())!.n);
  const spanMs = 3 * 365 * 86_400_000;
  const start = Date.now() - spanMs;
  const chunk = rowsPerInsert(knex);
  for (let from = existing; from < wanted; from += chunk * 10) {
    await knex.transaction(async (trx) => {
      for (let offset = from; offset < Math.min(from + chunk * 10, wanted); offset += chunk) {
        const rows = [];
        const tags: Array<{ code: string; tag: string }> = [];
        for (let i = offset; i < Math.min(offset + chunk, wanted); i++) {
          const p = person(i, 'CU-B');
          const created = new Date(start + Math.floor((spanMs * i) / wanted));
          rows.push(customerRow(p, companyId, shops[p.shop % shops.length].id, userId, created));
          if (p.tag) tags.push({ code: p.code, tag: p.tag });
        }
        await trx('crm_customers').insert(rows);
        if (tags.length) {
          const ids = await trx('crm_customers').where({ company_id: companyId }).whereIn('code_norm', tags.map((t) => t.code.toLowerCase())).select('id', 'code_norm');
          const byCode = new Map(ids.map((r: any) => [r.code_norm, Number(r.id)]));
          await trx('crm_customer_tags').insert(tags.map((t) => ({ company_id: companyId, customer_id: byCode.get(t.code.toLowerCase()), tag: t.tag })));
        }
      }
    });
  }
}

/** SQLite turns a multi-row insert into a compound SELECT, which may have 500 terms at most. */
function rowsPerInsert(knex: Knex): number {
  return String(knex.client.config.client).startsWith('mysql') ? 1000 : 500;
}

function customerRow(p: ReturnType<typeof person>, companyId: number, shopId: number, userId: number, created: Date): Record<string, unknown> {
  return {
    company_id: companyId,
    shop_id: shopId,
    code: p.code,
    first_name: p.first_name,
    last_name: p.last_name,
    phone: p.phone,
    email: p.email,
    birthdate: p.birthdate,
    birth_month: Number(p.birthdate.slice(5, 7)),
    classification: null,
    delivery_route: null,
    parent_id: null,
    custom_fields: null,
    ...searchColumns(p),
    owned_phone_norm: searchColumns(p).phone_norm,
    created_at: created,
    updated_at: created,
    created_by: userId,
    updated_by: userId,
  };
}

export function importCsv(rows: number, shops: Array<{ code: string }>, codePrefix: string): string {
  const lines = ['code,first_name,last_name,phone,email,birthdate,shop,tags'];
  for (let i = 0; i < rows; i++) {
    const p = person(i, codePrefix);
    lines.push([p.code, p.first_name, p.last_name, p.phone, p.email, p.birthdate, shops[p.shop % shops.length].code, p.tag].join(','));
  }
  return lines.join('\n') + '\n';
}

/** A company of its own with ten shops, made through the core's service as an administrator would. */
export async function newCompany(kernel: Kernel, adminId: number, prefix: string): Promise<{ companyId: number; shops: Array<{ id: number; code: string }> }> {
  const admin = await kernel.contexts.forUser(adminId);
  const company = await kernel.container.get<any>(CORE.Companies).create(admin, { code: `${prefix}${crypto.randomBytes(2).toString('hex')}`, name: `Bench ${prefix}`, currency: 'EUR', timezone: 'UTC' });
  const ctx = await kernel.contexts.forUser(adminId, Number(company.id));
  const shopService = kernel.container.get<any>(Symbol.for('base.ShopService'));
  const shops = [];
  for (let i = 0; i < 10; i++) shops.push(await shopService.create(ctx, { code: `${prefix}${i}`, name: `${prefix} shop ${i}` }));
  return { companyId: Number(company.id), shops };
}

/**
 * The same rows and tags as an import, 1,000 a statement (500 on SQLite) in one transaction, into the
 * company and shops given: what the import costs over the floor of writing those rows.
 */
async function rawInsert(knex: Knex, rows: number, companyId: number, shops: Array<{ id: number }>, userId: number, codePrefix: string): Promise<number> {
  const now = new Date();
  const chunk = rowsPerInsert(knex);
  const started = performance.now();
  await knex.transaction(async (trx) => {
    for (let from = 0; from < rows; from += chunk) {
      const batch = [];
      const tags: Array<{ code: string; tag: string }> = [];
      for (let i = from; i < Math.min(from + chunk, rows); i++) {
        const p = person(i, codePrefix);
        batch.push(customerRow(p, companyId, shops[p.shop % shops.length].id, userId, now));
        if (p.tag) tags.push({ code: p.code, tag: p.tag });
      }
      await trx('crm_customers').insert(batch);
      if (tags.length) {
        const ids = await trx('crm_customers').where({ company_id: companyId }).whereIn('code_norm', tags.map((t) => t.code.toLowerCase())).select('id', 'code_norm');
        const byCode = new Map(ids.map((r: any) => [r.code_norm, Number(r.id)]));
        await trx('crm_customer_tags').insert(tags.map((t) => ({ company_id: companyId, customer_id: byCode.get(t.code.toLowerCase()), tag: t.tag })));
      }
    }
  });
  return performance.now() - started;
}

/**
 * Makes InnoDB write out the pages an earlier phase dirtied (up to three minutes) before a timed write
 * phase. With a buffer pool smaller than the working set (MariaDB's default 128 MB), a phase that
 * follows the million-row load would otherwise spend its time waiting for free pages, flushing the
 * load's pages one by one, and measure the load rather than itself. MariaDB flushes an idle pool only
 * lazily, so the dirty-page ceiling is lowered to zero for the wait (a checkpoint, as a benchmark
 * drops caches) and put back after; without the privilege to do so, it just waits.
 */
async function settle(knex: Knex): Promise<void> {
  if (!String(knex.client.config.client).startsWith('mysql')) return;
  const [[{ pct }]] = (await knex.raw('select @@global.innodb_max_dirty_pages_pct as pct')) as unknown as [[{ pct: number }]];
  const lowered = await knex.raw('set global innodb_max_dirty_pages_pct = 0').then(() => true, () => false);
  try {
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const [rows] = (await knex.raw("show global status like 'Innodb_buffer_pool_pages_dirty'")) as unknown as [Array<{ Value: string }>];
      if (Number(rows[0]?.Value ?? 0) < 500) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    if (lowered) await knex.raw(`set global innodb_max_dirty_pages_pct = ${Number(pct)}`);
  }
}

if (require.main === module) {
  runCrmBench((line) => process.stdout.write(line + '\n')).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`crm bench failed: ${String((error as Error).message ?? error).slice(-400)}\n`);
      process.exit(1);
    },
  );
}
