import crypto from 'node:crypto';
import supertest from 'supertest';
import type { Knex } from 'knex';
import type { Container } from 'inversify';
import { Kernel, KernelOptions } from '../../core/kernel/kernel';
import type { TesseraConfig } from '../../core/config/config';
import type { RequestContext } from '../../core/security/request-context';
import type { LocalJobQueue } from '../../core/jobs/local-queue';
import type { BullJobQueue } from '../../core/jobs/bull-queue';
import { createTestDatabase, TestDatabase } from './test-database';
import { hashPassword } from '../../core/security/passwords';

export const ADMIN = { email: 'admin@tessera.test', password: 'admin-password-1' };

export interface TestUser {
  id: number;
  email: string;
  password: string;
  roleId: number;
}

/** A supertest agent signed in through the login form, sending the session's CSRF token on writes. */
export interface TestAgent {
  readonly csrfToken: string;
  /** The underlying cookie jar, for requests that must go without the token. */
  readonly raw: supertest.Agent;
  get(path: string): supertest.Test;
  /** A form post (urlencoded) with the CSRF token added. */
  post(path: string, form?: Record<string, unknown>): supertest.Test;
  /** A JSON API call over the session cookie (CSRF header added on writes). */
  api(method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string, body?: unknown): supertest.Test;
}

export interface TestApp {
  kernel: Kernel;
  app: import('express').Express;
  knex: Knex;
  container: Container;
  /** The demo company (with the demo shops) the admin belongs to. */
  companyId: number;
  /** A second company with its own admin, for isolation tests. */
  otherCompanyId: number;
  admin: { email: string; password: string };
  otherAdmin: TestUser;
  request(): supertest.Agent;
  login(email: string, password: string): Promise<TestAgent>;
  /** A user holding exactly these permissions (through a role of its own) in the given companies. */
  createUser(options: { permissions: string[]; companyIds?: number[]; email?: string; superAdmin?: boolean }): Promise<TestUser>;
  token(email: string): Promise<string>;
  contextFor(userId: number, companyId?: number): Promise<RequestContext>;
  /** Waits until every due job ran (local queue) or the bull queues are empty. */
  drainJobs(timeoutMs?: number): Promise<void>;
  listen(): Promise<string>;
  close(): Promise<void>;
}

let shared: Promise<TestApp> | null = null;

/**
 * The application on a fresh database, booted like `npm start` does (modules installed, demo data).
 * Without options, one instance is shared by every test file of the run (tests create their own data);
 * with options, a separate instance on its own database is made and `close()` really closes it.
 */
export function startTestApp(options: { modulesPath?: string[]; kernel?: KernelOptions } = {}): Promise<TestApp> {
  if (!options.modulesPath && !options.kernel) {
    shared ??= createTestApp({}, true);
    return shared;
  }
  return createTestApp(options, false);
}

export async function closeSharedTestApp(): Promise<void> {
  if (!shared) return;
  const app = await shared.catch(() => null);
  shared = null;
  await (app as any)?.reallyClose?.();
}

async function createTestApp(options: { modulesPath?: string[]; kernel?: KernelOptions }, isShared: boolean): Promise<TestApp> {
  const database = await createTestDatabase();
  const kernel = await bootOn(database, options);
  const knex = kernel.knex;
  const company = await knex('core_companies').orderBy('id').first();
  const companyId = Number(company.id);
  const now = new Date();
  const [otherCompanyId] = await knex('core_companies').insert({ code: `OTHER${crypto.randomBytes(2).toString('hex')}`, name: 'Other Company', currency: 'USD', timezone: 'America/New_York', created_at: now, updated_at: now });
  await kernel.startJobs();

  const createUser: TestApp['createUser'] = async ({ permissions, companyIds, email, superAdmin }) => {
    const companies = companyIds ?? [companyId];
    const address = email ?? `user-${crypto.randomBytes(5).toString('hex')}@tessera.test`;
    const password = 'password-' + crypto.randomBytes(4).toString('hex');
    const [roleId] = await knex('core_roles').insert({ company_id: superAdmin ? null : companies[0], name: `role-${crypto.randomBytes(5).toString('hex')}`, description: 'test role', is_super_admin: Boolean(superAdmin), created_at: now, updated_at: now });
    if (permissions.length) await knex('core_role_permissions').insert(permissions.map((permission) => ({ role_id: roleId, permission })));
    const [userId] = await knex('core_users').insert({ email: address, name: address.split('@')[0], password_hash: await hashPassword(password), is_active: true, default_company_id: companies[0], created_at: now, updated_at: now });
    await knex('core_user_companies').insert(companies.map((company_id) => ({ user_id: userId, company_id })));
    await knex('core_user_roles').insert({ user_id: userId, role_id: roleId });
    return { id: Number(userId), email: address, password, roleId: Number(roleId) };
  };

  const allPermissions = kernel.catalog.all().map((p) => p.name);
  const otherAdmin = await createUser({ permissions: allPermissions, companyIds: [Number(otherCompanyId)] });
  const app = kernel.http().app;
  let url: string | null = null;

  const testApp: TestApp & { reallyClose(): Promise<void> } = {
    kernel,
    app,
    knex,
    container: kernel.container,
    companyId,
    otherCompanyId: Number(otherCompanyId),
    admin: ADMIN,
    otherAdmin,
    request: () => supertest.agent(app),
    login: (email, password) => login(app, email, password),
    createUser,
    token: async (email) => {
      const user = await knex('core_users').where({ email }).first();
      return (await kernel.tokens.createFor(Number(user.id), 'test')).token;
    },
    contextFor: (userId, company) => kernel.contexts.forUser(userId, company),
    drainJobs: (timeoutMs) => drainJobs(kernel, timeoutMs),
    listen: async () => {
      url ??= (await kernel.listen(0)).url;
      return url;
    },
    close: async () => {
      if (!isShared) await testApp.reallyClose();
    },
    reallyClose: async () => {
      await closeKernel(kernel);
      await database.drop();
    },
  };
  return testApp;
}

/** Closes a test kernel, leaving nothing of its queue behind in a shared Redis. */
export async function closeKernel(kernel: Kernel): Promise<void> {
  if (kernel.queue.kind === 'bull') await (kernel.queue as BullJobQueue).obliterate().catch(() => undefined);
  await kernel.close();
}

/** Waits until every due job ran: the local queue drains, or the bull queues hold nothing waiting. */
export async function drainJobs(kernel: Kernel, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  if (kernel.queue.kind === 'local') {
    do {
      await kernel.relay.kick();
      await (kernel.queue as LocalJobQueue).drain(Math.max(1, deadline - Date.now()));
    } while (await kernel.knex('core_outbox').whereNull('dispatched_at').first('id'));
    return;
  }
  while (Date.now() < deadline) {
    await kernel.relay.kick();
    const counts = await kernel.queue.counts('all');
    const pending = await kernel.knex('core_outbox').whereNull('dispatched_at').first('id');
    if (!pending && counts.every((c) => c.waiting + c.active + c.delayed === 0)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('bull queues did not drain in time');
}

/** Boots a kernel on a test database the way the server does, with test credentials and quiet logs. */
export async function bootOn(database: TestDatabase, options: { modulesPath?: string[]; kernel?: KernelOptions } = {}): Promise<Kernel> {
  return Kernel.boot({
    ...options.kernel,
    config: {
      // Each test kernel is an installation of its own: its queue keys never meet another's in a shared Redis.
      instanceName: `test-${process.pid}-${crypto.randomBytes(3).toString('hex')}`,
      databaseUrl: database.url,
      redisUrl: process.env.REDIS_URL || null,
      admin: ADMIN,
      demo: true,
      logLevel: (process.env.TEST_LOG_LEVEL as TesseraConfig['logLevel'] | undefined) ?? 'silent',
      modulesPath: options.modulesPath ?? [],
      ...options.kernel?.config,
    },
  });
}

export async function login(app: import('express').Express, email: string, password: string): Promise<TestAgent> {
  const agent = supertest.agent(app);
  const form = await agent.get('/login').expect(200);
  const loginToken = csrfFrom(form.text);
  const response = await agent.post('/login').type('form').send({ email, password, _csrf: loginToken });
  if (response.status !== 302) throw new Error(`login as ${email} failed with ${response.status}`);
  const home = await agent.get('/');
  const csrfToken = csrfFrom(home.text);
  return {
    csrfToken,
    raw: agent,
    get: (path) => agent.get(path),
    post: (path, body = {}) => agent.post(path).type('form').send({ ...body, _csrf: csrfToken }),
    api: (method, path, body) => {
      const test = agent[method](path).set('x-csrf-token', csrfToken).set('Accept', 'application/json');
      return body === undefined ? test : test.send(body as object);
    },
  };
}

export function csrfFrom(html: string): string {
  const match = html.match(/name="csrf-token" content="([^"]+)"/) ?? html.match(/name="_csrf" value="([^"]+)"/);
  if (!match) throw new Error('no CSRF token in page');
  return match[1];
}
