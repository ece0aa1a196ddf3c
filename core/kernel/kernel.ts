import 'reflect-metadata';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Container } from 'inversify';
import type { Knex } from 'knex';
import { loadConfig, ROOT_DIR } from '../config/load-config';
import type { TesseraConfig } from '../config/config';
import { openDatabase } from '../db/connection';
import { createLogger, Logger } from './logger';
import { CORE } from './identifiers';
import { discoverModules } from '../modules/discovery';
import { orderByDependencies } from '../modules/dependency-order';
import type { Manifest, ModuleSource } from '../modules/manifest';
import { ModuleLifecycle } from '../modules/lifecycle';
import { loadModuleEntry, registerModule } from '../modules/module-loader';
import { PermissionCatalog } from '../security/permission-catalog';
import { RouteTable } from '../http/route-table';
import { ViewEngine } from '../views/view-engine';
import { registerHelpers } from '../views/helpers';
import { EventBus } from '../events/event-bus';
import { EventCatalog } from '../events/event-catalog';
import { enqueueOutboxJobs, OutboxRelay, OUTBOX_JOB } from '../events/outbox-relay';
import { JobRegistry } from '../jobs/job-registry';
import type { JobQueue } from '../jobs/job-queue';
import { LocalJobQueue } from '../jobs/local-queue';
import { defaultInstanceName } from '../jobs/instance-name';
import type { BullJobQueue } from '../jobs/bull-queue';
import { AuditLog } from '../data/audit-log';
import { Sequences } from '../data/sequences';
import { SettingsService } from '../data/settings';
import { moduleSchemaAjv } from '../data/module-schemas';
import { Contexts } from '../security/contexts';
import { CompanyServiceImpl } from '../security/company-service';
import { RoleServiceImpl } from '../security/role-service';
import { UserServiceImpl } from '../security/user-service';
import { TokenServiceImpl } from '../security/token-service';
import { BearerCache } from '../security/bearer-cache';
import { onSecurityChange } from '../security/security-version';
import type { SecurityBroadcast } from '../security/security-broadcast';
import { LoginService } from '../security/login-service';
import type { DemoSeeder } from '../modules/module-api';
import { seedFirstStart } from './first-start';
import { createHttpApp, HttpApp } from '../http/app';
import { httpServicesOf } from './http-services-of';
import type { Company } from '../security/services';
import { EntityRegistry } from '../resources/entity-registry';
import { installationSecretBox } from '../security/secret-box';
import { PasswordResetService, RESET_JOB } from '../security/password-reset';
import { MenuBadges } from '../http/menu-badges';

export interface KernelOptions {
  /** Values that win over files and environment (tests). */
  config?: Partial<TesseraConfig>;
  env?: NodeJS.ProcessEnv;
  /** Run jobs and the outbox relay in this process (embedded mode, workers). Default true. */
  runJobs?: boolean;
  /** Install new modules and apply pending upgrades at boot; defaults to config.autoMigrate. */
  autoMigrate?: boolean;
  /** Where built-in modules are found; `modules/` of the repository by default (tests use fixtures). */
  modulesDir?: string;
  logger?: Logger;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  /** The parts that do not answer, by name. */
  down: string[];
  database: { ok: boolean; latency_ms: number; error?: string };
  queue: { ok: boolean; kind: string; latency_ms: number; error?: string };
  modules: string[];
}

/**
 * The host: configuration, database, the modules installed in it, and the services they share.
 * One kernel per process; web and worker processes boot the same kernel and differ only in what they run.
 */
export class Kernel {
  readonly container = new Container({ defaultScope: 'Singleton' });
  readonly events: EventBus;
  readonly jobs = new JobRegistry();
  readonly audit = new AuditLog();
  readonly entities = new EntityRegistry();
  readonly sequences: Sequences;
  readonly demoSeeders: Array<{ module: string; seeder: DemoSeeder }> = [];
  readonly routes: RouteTable;
  readonly views: ViewEngine;
  readonly lifecycle: ModuleLifecycle;
  readonly catalog: PermissionCatalog;
  readonly contexts: Contexts;
  readonly tokens: TokenServiceImpl;
  readonly login: LoginService;
  readonly passwordResets: PasswordResetService;
  readonly badges: MenuBadges;
  readonly settings: SettingsService;
  readonly queue: JobQueue;
  readonly relay: OutboxRelay;
  readonly version: string = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')).version;
  sessionSecret = '';
  bootMs = 0;
  /** When the port began listening, in ms since the process started (performance.now()). */
  listeningMs = 0;
  private httpApp: HttpApp | null = null;
  private server: http.Server | null = null;
  private jobsRunning = false;
  private relayRunning = false;
  private readonly securityBroadcast: SecurityBroadcast | null;
  private readonly stopSecurityWatch: () => void;

  private constructor(
    readonly config: TesseraConfig,
    readonly knex: Knex,
    readonly logger: Logger,
    /** Every module found, in dependency order. */
    readonly sources: ModuleSource[],
    /** The installed ones, in dependency order: only these run. */
    readonly installed: ModuleSource[],
    private readonly options: KernelOptions,
  ) {
    this.sequences = new Sequences(knex);
    this.catalog = new PermissionCatalog(this.manifests);
    const moduleSchemas = moduleSchemaAjv();
    this.settings = new SettingsService(knex, installed, this.audit, moduleSchemas);
    // A process that relays hands its own events' jobs over in the publishing transaction.
    const handOff = (trx: Knex.Transaction, eventId: number, handlers: string[]) => enqueueOutboxJobs(this.queue, trx, eventId, handlers);
    this.events = new EventBus(new EventCatalog(installed, moduleSchemas), (event, trx) => this.contexts.forEvent(event, trx), () => (this.jobsRunning || this.relayRunning ? handOff : null));
    this.routes = new RouteTable(() => this.catalog);
    this.views = new ViewEngine(path.join(config.rootDir, 'views'), registerHelpers);
    this.lifecycle = new ModuleLifecycle(knex, sources, coreMigrationsDir());
    // bull and ioredis take a noticeable time to load; the embedded default never needs them.
    const leaseMs = config.jobLeaseSeconds * 1000;
    this.queue = config.redisUrl
      ? new (require('../jobs/bull-queue').BullJobQueue as typeof BullJobQueue)(knex, this.jobs, logger, { redisUrl: config.redisUrl, instanceName: config.instanceName!, leaseMs })
      : new LocalJobQueue(knex, this.jobs, logger, { leaseMs });
    const scopedServices = {
      jobs: this.queue,
      settings: this.settings,
      audit: this.audit,
      events: this.events,
      sequences: this.sequences,
      onEventsCommitted: () => {
        if (this.jobsRunning || this.relayRunning) void this.relay.kick().catch((error) => this.logger.warn({ err: error }, 'outbox relay failed'));
      },
    };
    this.contexts = new Contexts(knex, this.catalog, scopedServices, this.container);
    const bearers = new BearerCache(config.tokenCacheMs);
    this.tokens = new TokenServiceImpl(knex, bearers);
    // With Redis, processes tell each other of a change to who may do what, so no process answers a
    // bearer call from what it kept after the change (without, each sees it within tokenCacheMs).
    this.securityBroadcast = config.redisUrl && bearers.keeps
      ? new (require('../security/security-broadcast').SecurityBroadcast as typeof SecurityBroadcast)(config.redisUrl, `${config.instanceName}:security`, () => bearers.clear(), logger)
      : null;
    this.stopSecurityWatch = onSecurityChange(() => {
      bearers.clear();
      this.securityBroadcast?.announce();
    });
    this.login = new LoginService(knex, config.loginRateLimit);
    this.badges = new MenuBadges(logger);
    this.passwordResets = new PasswordResetService(knex, this.container, CORE.ResetLinkSender, this.queue, this.audit);
    this.relay = new OutboxRelay(knex, this.events, this.queue);
  }

  get manifests(): Manifest[] {
    return this.installed.map((s) => s.manifest);
  }

  static async boot(options: KernelOptions = {}): Promise<Kernel> {
    const started = process.hrtime.bigint();
    const config = loadConfig(options.env ?? process.env, options.config ?? {});
    const logger = options.logger ?? createLogger(config.logLevel);
    const knex = openDatabase(config.databaseUrl, config.rootDir);
    try {
      const sources = orderByDependencies(discoverModules(options.modulesDir ?? path.join(config.rootDir, 'modules'), config.modulesPath, config.rootDir));
      const lifecycle = new ModuleLifecycle(knex, sources, coreMigrationsDir());
      await lifecycle.migrateCore();
      if (options.autoMigrate ?? config.autoMigrate) {
        const report = await lifecycle.autoMigrate();
        if (report.installed.length) logger.info({ modules: report.installed }, 'modules installed');
        if (report.upgraded.length) logger.info({ modules: report.upgraded }, 'modules upgraded');
        for (const name of report.skipped) logger.warn(`module ${name} is in a failed state; run "tessera module resume ${name}" or "tessera module rollback ${name}"`);
      }
      const installedNames = await lifecycle.installedNames();
      const instanceName = config.instanceName ?? (await defaultInstanceName(knex, config.databaseUrl));
      const kernel = new Kernel({ ...config, instanceName }, knex, logger, sources, sources.filter((s) => installedNames.has(s.manifest.name)), options);
      await kernel.wire();
      kernel.bootMs = Number(process.hrtime.bigint() - started) / 1e6;
      return kernel;
    } catch (error) {
      await knex.destroy();
      throw error;
    }
  }

  /** Binds core services, lets every installed module register, then seeds a first start. */
  private async wire(): Promise<void> {
    const c = this.container;
    c.bind(CORE.Config).toConstantValue(this.config);
    c.bind(CORE.Knex).toConstantValue(this.knex);
    c.bind(CORE.Logger).toConstantValue(this.logger);
    c.bind(CORE.AuditLog).toConstantValue(this.audit);
    c.bind(CORE.Sequences).toConstantValue(this.sequences);
    c.bind(CORE.EventBus).toConstantValue(this.events);
    c.bind(CORE.JobQueue).toConstantValue(this.queue);
    c.bind(CORE.Settings).toConstantValue(this.settings);
    c.bind(CORE.Contexts).toConstantValue(this.contexts);
    c.bind(CORE.Permissions).toConstantValue(this.catalog);
    c.bind(CORE.Views).toConstantValue(this.views);
    c.bind(CORE.Registry).toConstantValue(this.routes);
    c.bind(CORE.Entities).toConstantValue(this.entities);
    c.bind(CORE.Secrets).toConstantValue(installationSecretBox(this.config));
    const roles = new RoleServiceImpl(this.knex, this.catalog, this.entities);
    c.bind(CORE.Roles).toConstantValue(roles);
    c.bind(CORE.Users).toConstantValue(new UserServiceImpl(this.knex, roles, this.audit, this.entities));
    c.bind(CORE.Companies).toConstantValue(new CompanyServiceImpl(this.knex, this.audit));
    c.bind(CORE.Tokens).toConstantValue(this.tokens);

    this.jobs.define(OUTBOX_JOB, async (job) => {
      const { eventId, handler } = job.data as { eventId: number; handler: string };
      await this.events.runOutboxHandler(this.knex, eventId, handler);
    }, 5);
    this.jobs.define(RESET_JOB, (job) => this.passwordResets.send(Number((job.data as { reset_id: number }).reset_id)), 5);

    this.views.loadModules(this.installed);
    for (const menu of this.manifests.flatMap((m) => m.menus)) {
      for (const permission of [menu.permission, ...(menu.alsoRequires ?? [])]) {
        if (permission !== 'authenticated' && !this.catalog.has(permission)) {
          throw new Error(`Menu "${menu.id}" needs permission "${permission}", which no installed module declares`);
        }
      }
    }
    for (const source of this.installed) {
      const entry = loadModuleEntry(source);
      await registerModule(this, source, entry);
    }
    this.sessionSecret = this.config.sessionSecret ?? (await this.storedSecret());
    await seedFirstStart(this);
  }

  /** A secret made once per installation and kept in the database, so every process signs alike. */
  private async storedSecret(): Promise<string> {
    const existing = await this.knex('core_kv').where({ key: 'session_secret' }).first();
    if (existing) return existing.value;
    await this.knex('core_kv').insert({ key: 'session_secret', value: crypto.randomBytes(32).toString('hex') }).onConflict('key').ignore();
    return (await this.knex('core_kv').where({ key: 'session_secret' }).first()).value;
  }

  http(): HttpApp {
    this.httpApp ??= createHttpApp(httpServicesOf(this));
    return this.httpApp;
  }

  /** Starts the job queue and the outbox relay in this process. */
  async startJobs(): Promise<void> {
    if (this.jobsRunning) return;
    this.jobsRunning = true;
    await this.queue.start();
    this.startRelay();
  }

  /** Web processes with Redis relay the outbox but leave running jobs to workers. */
  startRelay(): void {
    this.relayRunning = true;
    this.relay.start();
    this.queue.startRelay();
  }

  async listen(port = this.config.port): Promise<{ server: http.Server; url: string }> {
    const server = http.createServer(this.http().app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '0.0.0.0', () => resolve());
    });
    this.server = server;
    this.listeningMs = performance.now();
    this.securityBroadcast?.listen();
    // Jobs start once the port is open: requests need none of it (the cron parser, the queue's first
    // reads), and listen() still returns with them running.
    try {
      if (this.options.runJobs !== false && !this.config.redisUrl) await this.startJobs();
      else if (this.options.runJobs !== false && this.config.redisUrl) this.startRelay();
    } catch (error) {
      await new Promise((resolve) => server.close(resolve));
      this.server = null;
      throw error;
    }
    const address = server.address();
    const actualPort = typeof address === 'object' && address ? address.port : port;
    return { server, url: `http://localhost:${actualPort}` };
  }

  async health(): Promise<HealthReport> {
    const [database, queue] = await Promise.all([
      timed(() => withTimeout(this.knex.raw('select 1').then(() => true), 2500)),
      timed(() => withTimeout(this.queue.ping(), 2500)),
    ]);
    const down = [...(database.ok ? [] : ['database']), ...(queue.ok ? [] : ['queue'])];
    return {
      status: down.length ? 'degraded' : 'ok',
      down,
      database,
      queue: { ...queue, kind: this.queue.kind },
      modules: this.installed.map((s) => s.manifest.name),
    };
  }

  async companiesByIds(ids: number[]): Promise<Company[]> {
    if (!ids.length) return [];
    const rows = await this.knex('core_companies').whereIn('id', ids).orderBy('name');
    return rows.map((r: any) => ({ id: Number(r.id), code: r.code, name: r.name, currency: r.currency, timezone: r.timezone }));
  }

  async close(): Promise<void> {
    if (this.server) {
      this.server.closeAllConnections?.();
      await new Promise((resolve) => this.server!.close(resolve));
    }
    this.stopSecurityWatch();
    await this.securityBroadcast?.close();
    await this.relay.stop();
    await this.queue.stop();
    await this.httpApp?.close();
    await this.sequences.close();
    await this.knex.destroy();
  }
}

export function coreMigrationsDir(): string {
  return path.join(ROOT_DIR, 'core', 'db', 'migrations');
}

async function timed(check: () => Promise<boolean>): Promise<{ ok: boolean; latency_ms: number; error?: string }> {
  const started = Date.now();
  try {
    const ok = await check();
    return { ok, latency_ms: Date.now() - started };
  } catch (error) {
    return { ok: false, latency_ms: Date.now() - started, error: (error as Error).message };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}
