/**
 * The customer list with its count at a million customers (LIST_BENCH_CUSTOMERS), for `npm run bench`:
 * the whole page over HTTP (session, permissions, the person's list settings, count, page, render),
 * timed from the bench's client on the same machine, beside a raw baseline measured in the same run:
 * the same count and page SQL the page runs, sent straight to the database. Target: under 50 ms.
 *
 * The million rows go in with INSERT ... SELECT over a generated series (ten statements of 100,000),
 * on SQLite and MariaDB alike; on MariaDB the secondary indexes are rebuilt after the load.
 * Database: a fresh one on DATABASE_URL's server (dropped at the end), else a temporary SQLite file.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { Kernel } from '../core/kernel/kernel';
import { createTestDatabase } from '../test/support/test-database';
import { countCustomersQuery } from '../modules/crm/customers/customer-bulk';
import { customerSearch } from '../modules/crm/customers/customer-search';
import type { CustomerCriteria } from '../modules/crm/customers/customer-types';
import { COUNT_BOUND } from '../core/resources/list-controls';
import { loginCookie } from './session';
import { ms, seconds, timeIt, withIndexesRebuilt } from './bench-tools';

const ADMIN = { email: 'admin@list.bench', password: 'list-bench-password' };
/** 20^3 = 8,000 last names: a 3-letter prefix such as "bak" selects 1/400 of the customers. */
const SYLLABLES = ['Ba', 'Ko', 'Ri', 'Mel', 'Dan', 'Tor', 'Vik', 'Lu', 'Sen', 'Par', 'Gro', 'Fin', 'Hal', 'Mor', 'Nes', 'Quo', 'Ste', 'War', 'Zel', 'Jin'];
const FIRST = ['Ann', 'Bob', 'Carla', 'David', 'Emma', 'Farid', 'Gina', 'Hugo', 'Ines', 'Jon', 'Kim', 'Luca', 'Maya', 'Nils', 'Olga', 'Paul'];

export async function runListBench(print: (line: string) => void): Promise<void> {
  const database = await createTestDatabase();
  const mysql = !database.url.startsWith('sqlite:');
  const wanted = Number(process.env.LIST_BENCH_CUSTOMERS ?? 1_000_000);
  let kernel: Kernel | null = null;
  try {
    kernel = await Kernel.boot({
      config: { instanceName: `list-bench-${process.pid}-${crypto.randomBytes(3).toString('hex')}`, databaseUrl: database.url, redisUrl: process.env.REDIS_URL || null, admin: ADMIN, logLevel: 'silent', demo: false },
    });
    const knex = kernel.knex;
    const companyId = Number((await knex('core_companies').orderBy('id').first('id')).id);
    const adminId = Number((await knex('core_users').where({ email: ADMIN.email }).first('id')).id);
    const ctx = await kernel.contexts.forUser(adminId, companyId);
    const shopService = kernel.container.get<any>(Symbol.for('base.ShopService'));
    for (let i = (await shopService.list(ctx)).length; i < 10; i++) await shopService.create(ctx, { code: `LB${i}`, name: `List bench shop ${i}` });
    const shopIds: number[] = (await shopService.list(ctx)).filter((s: any) => Number(s.company_id) === companyId).map((s: any) => Number(s.id));

    const started = performance.now();
    const load = () => insertSeries(knex, mysql, companyId, shopIds, adminId, wanted);
    await withIndexesRebuilt(knex, 'crm_customers', load);
    await knex.raw(mysql ? 'ANALYZE TABLE crm_customers' : 'ANALYZE');
    const total = Number((await knex('crm_customers').where({ company_id: companyId }).count({ n: '*' }).first())!.n);
    print(`list bench: ${total.toLocaleString('en-US')} customers inserted with INSERT ... SELECT in ${seconds(performance.now() - started)} (${mysql ? 'mysql/mariadb' : 'sqlite'})`);

    const { url, server } = await kernel.listen(0);
    // Server time: from the request's arrival to the last byte handed to the socket, per request.
    let serverTimes: number[] = [];
    server.on('request', (_req, res) => {
      const arrived = performance.now();
      res.on('finish', () => serverTimes.push(performance.now() - arrived));
    });
    try {
      const cookie = await loginCookie(url, ADMIN.email, ADMIN.password);
      print(`list bench: load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} cores`);
      const scenarios: Array<[string, string, CustomerCriteria]> = [
        ['first page by name, count 10,000+', '', {}],
        ['q = 3 letters of a last name', '?q=bak', { q: 'bak' }],
        ['q = 6 digits of a phone', '?q=060012', { q: '060012' }],
        ['shop filter', `?shop_id=${shopIds[3]}`, { shop_ids: [shopIds[3]] }],
      ];
      for (const [label, query, criteria] of scenarios) {
        serverTimes = [];
        const page = await timeIt(async () => {
          const res = await fetch(`${url}/crm/customers${query}`, { headers: { cookie } });
          const html = await res.text();
          if (res.status !== 200 || !html.includes('data-count=')) throw new Error(`/crm/customers${query} answered ${res.status} without a count`);
        }, 25);
        // The same SQL the page sends for its count and its rows, straight to the database.
        const search = customerSearch(ctx.db, criteria, { sort: 'name', limit: 50 });
        const pageSql = search.query.toSQL().toNative();
        const countSql = countCustomersQuery(ctx, criteria, COUNT_BOUND).toSQL().toNative();
        const raw = await timeIt(() => Promise.all([knex.raw(pageSql.sql, pageSql.bindings as any), knex.raw(countSql.sql, countSql.bindings as any)]), 25);
        const server = percentiles(serverTimes.slice(2));
        print(`list page /crm/customers${query} (${label}) at ${total.toLocaleString('en-US')}: server p50 ${ms(server.p50)}, p95 ${ms(server.p95)} (client ${ms(page.p50)}); raw count + page SQL: p50 ${ms(raw.p50)}, p95 ${ms(raw.p95)}`);
      }
    } finally {
      server.close();
    }
  } finally {
    await kernel?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
  }
}

/**
 * `wanted` customers from a series of numbers made by crossing six tables of ten digits, in ten
 * statements (one per leading digit) so no transaction holds a million rows. Names, phones, e-mails
 * and codes are unique per number; the search columns are what crm's normalisation would store.
 */
export async function insertSeries(knex: Knex, mysql: boolean, companyId: number, shopIds: number[], userId: number, wanted: number): Promise<void> {
  const cat = (...parts: string[]) => (mysql ? `CONCAT(${parts.join(', ')})` : parts.join(' || '));
  const pad = (expr: string, width: number) => (mysql ? `LPAD(${expr}, ${width}, '0')` : `printf('%0${width}d', ${expr})`);
  const digits = Array.from({ length: 10 }, (_, d) => `SELECT ${d} AS d`).join(' UNION ALL ');
  const firsts = FIRST.map((name, i) => `SELECT ${i} AS i, '${name}' AS name`).join(' UNION ALL ');
  const shop = `CASE s.n % ${shopIds.length} ${shopIds.map((id, i) => `WHEN ${i} THEN ${id}`).join(' ')} END`;
  const last = cat('s1.s', 'LOWER(s2.s)', 'LOWER(s3.s)');
  const syllables = SYLLABLES.map((syl, i) => `SELECT ${i} AS i, '${syl}' AS s`).join(' UNION ALL ');
  const lower = (expr: string) => `LOWER(${expr})`;
  const now = new Date();
  const series = `SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * g.d + 1 AS n
    FROM (${digits}) a CROSS JOIN (${digits}) b CROSS JOIN (${digits}) c CROSS JOIN (${digits}) e CROSS JOIN (${digits}) f CROSS JOIN (${digits}) g
    WHERE g.d = ?`;
  const sql = `INSERT INTO crm_customers (company_id, shop_id, code, first_name, last_name, phone, email, birthdate, birth_month,
      name_norm, name_rev_norm, code_norm, phone_norm, email_norm, owned_phone_norm, created_at, updated_at, created_by, updated_by)
    SELECT ${companyId}, ${shop}, ${cat(`'L'`, pad('s.n', 7))}, fn.name, ${last}, ${cat(`'06'`, pad('s.n', 8))}, ${cat(lower('fn.name'), `'.'`, 's.n', `'@example.com'`)},
      ${cat(`'19'`, '(50 + s.n % 50)', `'-'`, pad('1 + s.n % 12', 2), `'-'`, pad('1 + s.n % 28', 2))}, 1 + s.n % 12,
      ${cat(lower('fn.name'), `' '`, lower(last))}, ${cat(lower(last), `' '`, lower('fn.name'))}, ${cat(`'l'`, pad('s.n', 7))},
      ${cat(`'06'`, pad('s.n', 8))}, ${cat(lower('fn.name'), `'.'`, 's.n', `'@example.com'`)}, ${cat(`'06'`, pad('s.n', 8))}, ?, ?, ${userId}, ${userId}
    FROM (${series}) s JOIN (${firsts}) fn ON fn.i = s.n % ${FIRST.length}
      JOIN (${syllables}) s1 ON s1.i = (s.n * 7) % 20 JOIN (${syllables}) s2 ON s2.i = ((s.n * 7) % 400 - (s.n * 7) % 20) / 20
      JOIN (${syllables}) s3 ON s3.i = ((s.n * 7) % 8000 - (s.n * 7) % 400) / 400
    WHERE s.n <= ?`;
  for (let lead = 0; lead < 10 && lead * 100_000 < wanted; lead++) await knex.raw(sql, [now, now, lead, wanted]);
}

function percentiles(samples: number[]): { p50: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: sorted[Math.floor(sorted.length / 2)] ?? NaN, p95: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? NaN };
}

if (require.main === module) {
  runListBench((line) => process.stdout.write(line + '\n')).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`list bench failed: ${String((error as Error).message ?? error).slice(-600)}\n`);
      process.exit(1);
    },
  );
}
