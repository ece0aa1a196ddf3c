import crypto from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../core/db/connection';
import { ROOT_DIR } from '../../core/config/load-config';
import { ADMIN, csrfFrom } from '../support/harness';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { startRedisServer, type TestRedis } from '../support/redis-server';
import { startWeb, startWorker, type TesseraProcess } from '../support/tessera-process';

const ON_MYSQL = /^(mysql|mariadb):/.test(process.env.DATABASE_URL ?? '');
const TITLE = 'a cluster: two web processes and two workers on one MariaDB database and one Redis';
const TICKER = path.join(__dirname, '..', 'fixtures', 'cluster', 'ticker');

/** A signed-in browser, as far as the server can tell: the session cookie and its CSRF token. */
interface Session {
  cookie: string;
  csrf: string;
}

/**
 * Real `tessera serve` and `tessera worker` processes, as an operator runs them behind a load balancer.
 * Sessions live in the database, jobs in its ledger, and Redis only carries them: any web process
 * serves any request, each job and each scheduled tick runs once, and a worker killed in the middle
 * of a job loses nothing. Figures it measured are printed at the end (see README, "Running at scale").
 */
(ON_MYSQL ? describe : describe.skip)(ON_MYSQL ? TITLE : `${TITLE} (skipped: DATABASE_URL is not a MySQL/MariaDB URL)`, function () {
  this.timeout(300_000);
  const instance = `cluster-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  const figures: string[] = [];
  let database: TestDatabase;
  let ownRedis: TestRedis | null = null;
  let knex: Knex;
  let webs: TesseraProcess[] = [];
  let workers: TesseraProcess[] = [];

  const since = (started: number) => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${[...webs, ...workers].map((p) => `--- ${p.role}\n${p.output().slice(-3000)}`).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const csv = (prefix: string, rows: number) => ['code,first_name,last_name,shop', ...Array.from({ length: rows }, (_, i) => `${prefix}-${i},F${i},L${i},{SHOP}`)].join('\n');
  const shopCode = async () => (await knex('base_shops').orderBy('id').first()).code as string;
  const call = (url: string, session: Session, init: RequestInit = {}) =>
    fetch(url, { redirect: 'manual', ...init, headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, accept: 'application/json', ...(init.headers ?? {}) } });
  const postImport = async (web: TesseraProcess, session: Session, body: string) => {
    const res = await call(`${web.url}/api/v1/crm/customers/import?async=true`, session, { method: 'POST', body: body.replaceAll('{SHOP}', await shopCode()), headers: { 'content-type': 'text/csv' } });
    expect(res.status, await res.clone().text()).to.equal(202);
    return (await res.json()) as { id: number; job_id: string };
  };
  const importOf = async (web: TesseraProcess, session: Session, id: number) => (await (await call(`${web.url}/api/v1/crm/imports/${id}`, session)).json()) as Record<string, any>;
  const customersWith = async (prefix: string) => Number((await knex('crm_customers').where('code', 'like', `${prefix}-%`).countDistinct({ n: 'code' }).first())!.n);
  const rowsWith = async (prefix: string) => Number((await knex('crm_customers').where('code', 'like', `${prefix}-%`).count({ n: '*' }).first())!.n);
  const importRuns = async (id: number) => Number((await knex('core_audit_log').where({ record_table: 'core_imports', record_id: id, action: 'import' }).count({ n: '*' }).first())!.n);
  const pidOf = (claimer: string | null) => Number(String(claimer ?? '').split(':')[1]);

  before(async () => {
    database = await createTestDatabase();
    const redisUrl = process.env.REDIS_URL || (ownRedis = await startRedisServer()).url;
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      TESSERA_INSTANCE: instance,
      TESSERA_MODULES_PATH: TICKER,
      TESSERA_JOB_LEASE_SECONDS: '3',
      TESSERA_SCRYPT_N: '1024',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    };
    let started = Date.now();
    webs.push(await startWeb('web 1', env));
    figures.push(`first web process up, schema and demo data made: ${since(started)}`);
    started = Date.now();
    const [web2, worker1, worker2] = await Promise.all([startWeb('web 2', env), startWorker('worker 1', env), startWorker('worker 2', env)]);
    webs.push(web2);
    workers = [worker1, worker2];
    figures.push(`three more processes up, side by side: ${since(started)}`);
    knex = openDatabase(database.url, ROOT_DIR);
  });

  after(async () => {
    await Promise.all([...webs, ...workers].map((p) => p.stop()));
    webs = [];
    workers = [];
    if (ownRedis) await ownRedis.close();
    else await clearInstanceKeys(process.env.REDIS_URL!, instance);
    await knex?.destroy();
    await database?.drop();
    if (figures.length) process.stdout.write(`\n      measured:\n${figures.map((f) => `        ${f}`).join('\n')}\n`);
  });

  const signIn = async (web: TesseraProcess): Promise<Session> => {
    const form = await fetch(`${web.url}/login`);
    const first = cookieOf(form);
    const answer = await fetch(`${web.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: first, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: ADMIN.email, password: ADMIN.password, _csrf: csrfFrom(await form.text()) }),
    });
    expect(answer.status).to.equal(302);
    const cookie = cookieOf(answer) || first;
    const home = await fetch(`${web.url}/`, { headers: { cookie } });
    return { cookie, csrf: csrfFrom(await home.text()) };
  };

  it('keeps a session made on one web process working on the other, for reads and writes', async () => {
    const session = await signIn(webs[0]);
    const home = await call(`${webs[1].url}/`, session, { headers: { accept: 'text/html' } });
    expect(home.status).to.equal(200);
    expect(await home.text()).to.contain(session.csrf);
    // A write on web 2 with the token web 1 gave: signing out there ends the session on web 1 too.
    const out = await call(`${webs[1].url}/logout`, session, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: session.csrf }) });
    expect(out.status).to.equal(302);
    const after = await call(`${webs[0].url}/`, session, { headers: { accept: 'text/html' } });
    expect(after.status).to.equal(302);
    expect(after.headers.get('location')).to.match(/^\/login/);
  });

  it('runs an import posted to one web process exactly once, and follows it on the other', async () => {
    const session = await signIn(webs[0]);
    const prefix = `CL${crypto.randomBytes(3).toString('hex')}`;
    const started = Date.now();
    const accepted = await postImport(webs[0], session, csv(prefix, 2000));
    await until('the import ran', async () => (await importOf(webs[1], session, accepted.id)).status === 'done');
    figures.push(`import of 2,000 rows, from the POST on web 1 to "done" read on web 2: ${since(started)}`);
    expect(await importOf(webs[1], session, accepted.id)).to.include({ created: 2000, error_count: 0 });
    expect(await rowsWith(prefix)).to.equal(2000);
    expect(await knex('core_jobs').where({ id: accepted.job_id }).first()).to.include({ status: 'completed', attempts: 1 });
    expect(await importRuns(accepted.id)).to.equal(1);
  });

  it('runs each tick of a scheduled job once, though every worker plans it', async () => {
    await until('ticks keep coming', async () => Number((await knex('ticker_ticks').count({ n: '*' }).first())!.n) >= 8, 30_000);
    const ticks = await knex('ticker_ticks').select('scheduled_for').count({ n: '*' }).groupBy('scheduled_for');
    expect(ticks.filter((t: any) => Number(t.n) !== 1), 'ticks run more than once').to.deep.equal([]);
    const runners = await knex('ticker_ticks').distinct('ran_by').pluck('ran_by');
    figures.push(`scheduled job, every second: ${ticks.length} ticks, each run once, by ${runners.length} worker(s)`);
  });

  it('loses nothing when a worker is killed in the middle of a job: the other finishes it', async () => {
    const session = await signIn(webs[1]);
    const prefix = `KL${crypto.randomBytes(3).toString('hex')}`;
    const rows = 8000;
    const accepted = await postImport(webs[1], session, csv(prefix, rows));
    let claimer: string | null = null;
    await until('a worker is half-way through the import', async () => {
      const job = await knex('core_jobs').where({ id: accepted.job_id }).first();
      claimer = job.status === 'active' && Number(job.progress) >= 10 ? job.claimed_by : null;
      return claimer !== null;
    });
    const victim = workers.find((w) => w.pid === pidOf(claimer))!;
    const survivor = workers.find((w) => w !== victim)!;
    expect(victim, `the claimer ${claimer} is one of the workers`).to.not.equal(undefined);
    const writtenBefore = await rowsWith(prefix);
    victim.child.kill('SIGKILL');
    expect(await victim.exited).to.equal('SIGKILL');
    const killedAt = Date.now();
    workers = [survivor];

    await until('the other worker finished the import', async () => (await importOf(webs[0], session, accepted.id)).status === 'done');
    figures.push(`worker killed with ${writtenBefore} of ${rows} rows written: the other finished the import ${since(killedAt)} later (lease: 3 s)`);
    const job = await knex('core_jobs').where({ id: accepted.job_id }).first();
    expect(job, JSON.stringify(job)).to.include({ status: 'completed', attempts: 2 });
    expect(pidOf(job.claimed_by)).to.equal(survivor.pid);
    expect(await rowsWith(prefix)).to.equal(rows);
    expect(await customersWith(prefix)).to.equal(rows);
    expect(await importOf(webs[0], session, accepted.id)).to.include({ error_count: 0 });
    expect(await importRuns(accepted.id)).to.equal(1);

    // The surviving worker keeps the schedule alone, still once per tick.
    const lastTick = (await knex('ticker_ticks').max({ at: 'scheduled_for' }).first())!.at;
    await until('ticks after the kill', async () => Number((await knex('ticker_ticks').where('scheduled_for', '>', lastTick).count({ n: '*' }).first())!.n) >= 3, 30_000);
    const twice = await knex('ticker_ticks').select('scheduled_for').count({ n: '*' }).groupBy('scheduled_for').havingRaw('count(*) > 1');
    expect(twice).to.deep.equal([]);
  });
});

function cookieOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .filter((c) => c.startsWith('tessera.sid='))
    .join('; ');
}

async function clearInstanceKeys(url: string, instance: string): Promise<void> {
  const Redis = (await import('ioredis')).default;
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `tessera:${instance}:*`, 'COUNT', 500);
      if (keys.length) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}
