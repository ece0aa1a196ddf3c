import path from 'node:path';
import type { Knex } from 'knex';
import type { ModuleSource } from './manifest';
import { Migrator, MigrationStepError, StepEffect } from './migrator';
import { dependantsOf } from './dependency-order';
import { withDbLock } from '../db/db-lock';
import { bumpSecurityVersion } from '../security/security-version';

export type ModuleState = 'installing' | 'installed' | 'failed' | 'uninstalled';

export interface ModuleStatus {
  name: string;
  version: string;
  installedVersion: string | null;
  state: ModuleState | 'new';
  pendingMigrations: string[];
  origin: ModuleSource['origin'];
  failedOperation: { id: number; kind: string; step: string | null; error: string | null } | null;
}

export interface UninstallPlan {
  module: string;
  dropData: boolean;
  blockedBy: string[];
  tables: string[];
  permissions: string[];
  menus: string[];
  slots: string[];
  settings: string[];
  migrationsToRevert: string[];
}

export class LifecycleError extends Error {}

const CORE_MODULE = 'core';
const LOCK = 'module-lifecycle';
const INTERRUPTED = 'interrupted: the process running it stopped before it finished';

/**
 * Install, upgrade, uninstall, resume and roll back modules. The state lives in the database
 * (`core_modules`, `core_module_operations`, `core_migrations`) so every process agrees on it, and a
 * database lock keeps two processes from migrating at once.
 */
export class ModuleLifecycle {
  readonly migrator: Migrator;

  constructor(
    private readonly knex: Knex,
    /** Every discovered module, in dependency order. */
    private readonly sources: ModuleSource[],
    private readonly coreMigrationsDir: string,
  ) {
    this.migrator = new Migrator(knex);
  }

  /** Core's own schema; runs before anything else at every start (a no-op when up to date). */
  async migrateCore(): Promise<void> {
    // One query when all is in place (every start): the journal exists and core has nothing pending.
    const applied = await this.migrator.appliedByModule();
    if (applied && this.migrator.pendingAmong(applied.get(CORE_MODULE), this.coreMigrationsDir).length === 0) return;
    await this.migrator.ensureJournal();
    if ((await this.migrator.pending(CORE_MODULE, this.coreMigrationsDir)).length === 0) return;
    await withDbLock(this.knex, LOCK, () => this.migrator.up(CORE_MODULE, this.coreMigrationsDir));
  }

  source(name: string): ModuleSource {
    const source = this.sources.find((s) => s.manifest.name === name);
    if (!source) throw new LifecycleError(`No module named "${name}" (known: ${this.sources.map((s) => s.manifest.name).join(', ') || 'none'})`);
    return source;
  }

  async status(): Promise<ModuleStatus[]> {
    const rows = new Map<string, any>((await this.knex('core_modules').select()).map((r: any) => [r.name, r]));
    const latest = await this.knex('core_module_operations').whereIn('id', this.knex('core_module_operations').max('id').groupBy('module'));
    // An operation still marked running while nobody holds the lifecycle lock is one whose process died.
    const lockHeld = Boolean(await this.knex('core_locks').where({ name: LOCK }).andWhere('expires_at', '>', new Date()).first());
    // Every module's applied steps in one query, not one per module.
    const applied = (await this.migrator.appliedByModule()) ?? new Map<string, Set<string>>();
    const result: ModuleStatus[] = [];
    for (const source of this.sources) {
      const name = source.manifest.name;
      const row = rows.get(name);
      const last = latest.find((o: any) => o.module === name);
      const op =
        last && (last.kind === 'install' || last.kind === 'upgrade') && ((last.status === 'failed' && row?.state === 'failed') || (last.status === 'running' && !lockHeld))
          ? { ...last, error: last.status === 'running' ? INTERRUPTED : last.error }
          : null;
      result.push({
        name,
        version: source.manifest.version,
        installedVersion: row?.version ?? null,
        state: (row?.state as ModuleState) ?? 'new',
        pendingMigrations: this.migrator.pendingAmong(applied.get(name), migrationsDir(source)).map((m) => m.name),
        origin: source.origin,
        failedOperation: op ? { id: Number(op.id), kind: op.kind, step: op.step, error: op.error } : null,
      });
    }
    return result;
  }

  /**
   * The modules a process runs: installed, with every module they depend on running too. A module
   * whose dependency failed half-way through an upgrade stays out with it until that is resumed or
   * rolled back, rather than running without the services, tables and permissions it relies on.
   */
  async installedNames(): Promise<Set<string>> {
    const rows = await this.knex('core_modules').where({ state: 'installed' }).select('name');
    const installed = new Set(rows.map((r: any) => r.name as string));
    const running = new Set<string>();
    for (const source of this.sources) {
      const { name, depends } = source.manifest;
      if (installed.has(name) && depends.every((d) => running.has(d))) running.add(name);
    }
    return running;
  }

  /** Installs a module after the dependencies it still lacks. */
  async install(name: string): Promise<string[]> {
    return withDbLock(this.knex, LOCK, async () => {
      const done: string[] = [];
      for (const dependency of this.withDependencies(name)) {
        const state = await this.stateOf(dependency);
        if (state === 'installed') continue;
        // Under the lock, `installing` means the process that was installing it died half-way.
        if (state === 'failed' || state === 'installing') throw new LifecycleError(this.failedMessage(dependency));
        await this.runOperation(dependency, 'install');
        done.push(dependency);
      }
      return done;
    });
  }

  /** Runs the new version's pending migrations and records the new version and ownership. */
  async upgrade(name: string): Promise<void> {
    await withDbLock(this.knex, LOCK, async () => {
      const state = await this.stateOf(name);
      if (state === 'failed' || state === 'installing') throw new LifecycleError(this.failedMessage(name));
      if (state !== 'installed') throw new LifecycleError(`Module "${name}" is not installed (state: ${state}); install it first`);
      for (const dependency of this.source(name).manifest.depends) {
        if ((await this.stateOf(dependency)) !== 'installed') throw new LifecycleError(`Module "${name}" needs "${dependency}" installed before it can be upgraded`);
      }
      await this.runOperation(name, 'upgrade');
    });
  }

  /** Installs modules never seen before and upgrades installed ones that have pending work. */
  async autoMigrate(): Promise<{ installed: string[]; upgraded: string[]; skipped: string[] }> {
    const report = { installed: [] as string[], upgraded: [] as string[], skipped: [] as string[] };
    for (const status of await this.status()) {
      if (status.state === 'new') report.installed.push(...(await this.install(status.name)));
      else if (status.state === 'installed' && (status.pendingMigrations.length > 0 || status.installedVersion !== status.version)) {
        await this.upgrade(status.name);
        report.upgraded.push(status.name);
      } else if (status.state === 'failed' || status.state === 'installing') report.skipped.push(status.name);
    }
    return report;
  }

  async planUninstall(name: string, dropData: boolean): Promise<UninstallPlan> {
    this.source(name); // refuses unknown names
    // A dependant half-way through an install or upgrade has tables and steps that may rely on this module too.
    const states = new Map<string, string>((await this.knex('core_modules').select('name', 'state')).map((r: any) => [r.name, r.state]));
    const blockedBy = dependantsOf(name, this.sources)
      .filter((d) => ['installed', 'installing', 'failed'].includes(states.get(d) ?? ''))
      .map((d) => (states.get(d) === 'installed' ? d : `${d} (${states.get(d)})`));
    const owned = await this.knex('core_module_ownership').where({ module: name }).select('kind', 'name');
    // Sorted here, not by the database, so the plan reads the same on SQLite and MySQL collations.
    const ofKind = (kind: string) => owned.filter((o: any) => o.kind === kind).map((o: any) => o.name as string).sort();
    return {
      module: name,
      dropData,
      blockedBy,
      tables: ofKind('table'),
      permissions: ofKind('permission'),
      menus: ofKind('menu'),
      slots: ofKind('slot'),
      settings: ofKind('setting'),
      migrationsToRevert: dropData ? (await this.migrator.applied(name)).map((m) => m.name).reverse() : [],
    };
  }

  /**
   * Refused while an installed module depends on this one. Keeps tables and rows unless `dropData`,
   * in which case every migration is reverted, newest first.
   */
  async uninstall(name: string, options: { dropData?: boolean } = {}): Promise<UninstallPlan> {
    return withDbLock(this.knex, LOCK, async () => {
      const plan = await this.planUninstall(name, options.dropData === true);
      if (plan.blockedBy.length > 0) {
        throw new LifecycleError(`Module "${name}" cannot be uninstalled while these installed modules depend on it: ${plan.blockedBy.join(', ')}`);
      }
      const state = await this.stateOf(name);
      if (state !== 'installed' && state !== 'failed') throw new LifecycleError(`Module "${name}" is not installed (state: ${state})`);
      const source = this.source(name);
      const operationId = await this.startOperation(name, 'uninstall', source.manifest.version, null);
      try {
        if (plan.dropData) {
          const effects = await this.migrator.down(name, migrationsDir(source), plan.migrationsToRevert, { onStep: (step) => this.setStep(operationId, step) });
          await this.recordTables(name, effects);
          await this.knex('core_settings').where({ module: name }).delete();
          if (plan.permissions.length > 0) await this.knex('core_role_permissions').whereIn('permission', plan.permissions).delete();
          await bumpSecurityVersion(this.knex);
          await this.knex('core_module_ownership').where({ module: name }).delete();
        } else {
          // Tables and their rows stay, still owned by the module, so a later install finds them.
          await this.knex('core_module_ownership').where({ module: name }).whereNot({ kind: 'table' }).delete();
        }
        await this.setState(name, 'uninstalled', source);
        await this.finishOperation(operationId, 'done');
      } catch (error) {
        await this.failOperation(operationId, error);
        throw error;
      }
      return plan;
    });
  }

  /** Continues a failed install or upgrade from the step that failed. */
  async resume(name: string): Promise<void> {
    await withDbLock(this.knex, LOCK, async () => {
      const op = await this.failedOperationOf(name);
      const source = this.source(name);
      await this.knex('core_module_operations').where({ id: op.id }).update({ status: 'running', error: null });
      await this.applyMigrations(name, source, op.id);
    });
  }

  /** Reverts the steps a failed install or upgrade applied, and puts the module back as it was. */
  async rollback(name: string): Promise<void> {
    await withDbLock(this.knex, LOCK, async () => {
      const op = await this.failedOperationOf(name);
      const source = this.source(name);
      const applied = (await this.migrator.applied(name)).filter((m) => m.operation_id === op.id).map((m) => m.name);
      try {
        const effects = await this.migrator.down(name, migrationsDir(source), applied, { onStep: (step) => this.setStep(op.id, step) });
        await this.recordTables(name, effects);
      } catch (error) {
        await this.failOperation(op.id, error);
        throw error;
      }
      if (op.kind === 'install') {
        await this.knex('core_module_ownership').where({ module: name }).whereNot({ kind: 'table' }).delete();
        await this.setState(name, 'uninstalled', source);
      } else {
        await this.knex('core_modules').where({ name }).update({ state: 'installed', version: op.from_version, updated_at: new Date() });
      }
      await this.finishOperation(op.id, 'rolled_back');
    });
  }

  // -------------------------------------------------------------------------------------------

  private withDependencies(name: string): string[] {
    const order = this.sources.map((s) => s.manifest.name);
    const needed = new Set<string>();
    const walk = (n: string) => {
      if (needed.has(n)) return;
      needed.add(n);
      for (const d of this.source(n).manifest.depends) walk(d);
    };
    walk(name);
    return order.filter((n) => needed.has(n));
  }

  private async runOperation(name: string, kind: 'install' | 'upgrade'): Promise<void> {
    const source = this.source(name);
    await this.refuseClaimsOfOthers(source);
    const current = await this.knex('core_modules').where({ name }).first();
    const operationId = await this.startOperation(name, kind, current?.version ?? null, source.manifest.version);
    if (kind === 'install') await this.setState(name, 'installing', source);
    await this.applyMigrations(name, source, operationId);
  }

  private async applyMigrations(name: string, source: ModuleSource, operationId: number): Promise<void> {
    try {
      const effects = await this.migrator.up(name, migrationsDir(source), { operationId, onStep: (step) => this.setStep(operationId, step) });
      await this.recordTables(name, effects);
      await this.recordDeclarations(source);
      await this.setState(name, 'installed', source);
      await this.finishOperation(operationId, 'done');
    } catch (error) {
      await this.failOperation(operationId, error);
      await this.knex('core_modules').where({ name }).whereIn('state', ['installing', 'installed']).update({ state: 'failed', updated_at: new Date() });
      throw error;
    }
  }

  private async recordTables(name: string, effects: StepEffect[]): Promise<void> {
    for (const effect of effects) {
      for (const table of effect.tablesAdded) {
        await this.knex('core_module_ownership').insert({ module: name, kind: 'table', name: table }).onConflict(['kind', 'name']).merge();
      }
      if (effect.tablesRemoved.length > 0) {
        await this.knex('core_module_ownership').where({ kind: 'table' }).whereIn('name', effect.tablesRemoved).delete();
      }
    }
  }

  /** Permissions, menus, slots and settings come from the manifest of the version now installed. */
  private async recordDeclarations(source: ModuleSource): Promise<void> {
    const { manifest } = source;
    await this.knex('core_module_ownership').where({ module: manifest.name }).whereNot({ kind: 'table' }).delete();
    for (const row of declarationsOf(source)) {
      await this.knex('core_module_ownership').insert({ module: manifest.name, ...row }).onConflict(['kind', 'name']).merge();
    }
  }

  /**
   * A menu or slot declared by two modules would end up recorded as the last one's, and its real owner's
   * uninstall plan would miss it; such a module is refused before any of its migrations runs.
   */
  private async refuseClaimsOfOthers(source: ModuleSource): Promise<void> {
    const claims = declarationsOf(source);
    for (const kind of new Set(claims.map((c) => c.kind))) {
      const names = claims.filter((c) => c.kind === kind).map((c) => c.name);
      const taken = await this.knex('core_module_ownership').where({ kind }).whereIn('name', names).whereNot({ module: source.manifest.name }).first();
      if (taken) throw new LifecycleError(`Module "${source.manifest.name}" declares ${kind} "${taken.name}", which module "${taken.module}" owns`);
    }
  }

  private async stateOf(name: string): Promise<ModuleState | 'new'> {
    const row = await this.knex('core_modules').where({ name }).first();
    return (row?.state as ModuleState) ?? 'new';
  }

  private async setState(name: string, state: ModuleState, source: ModuleSource): Promise<void> {
    const now = new Date();
    const values = { version: source.manifest.version, state, manifest: JSON.stringify(source.manifest), updated_at: now };
    await this.knex('core_modules')
      .insert({ name, ...values, installed_at: state === 'installed' ? now : null })
      .onConflict('name')
      .merge(state === 'installed' ? { ...values, installed_at: now } : values);
  }

  private async startOperation(name: string, kind: string, fromVersion: string | null, toVersion: string | null): Promise<number> {
    const [id] = await this.knex('core_module_operations').insert({ module: name, kind, status: 'running', from_version: fromVersion, to_version: toVersion, started_at: new Date() });
    return Number(id);
  }

  private async setStep(id: number, step: string): Promise<void> {
    await this.knex('core_module_operations').where({ id }).update({ step });
  }

  private async finishOperation(id: number, status: 'done' | 'rolled_back'): Promise<void> {
    await this.knex('core_module_operations').where({ id }).update({ status, finished_at: new Date() });
  }

  private async failOperation(id: number, error: unknown): Promise<void> {
    const step = error instanceof MigrationStepError ? error.step : undefined;
    await this.knex('core_module_operations')
      .where({ id })
      .update({ status: 'failed', error: String((error as Error)?.message ?? error).slice(0, 4000), ...(step ? { step } : {}), finished_at: new Date() });
  }

  /**
   * The last install or upgrade of the module, when it failed or was interrupted. Callers hold the
   * lifecycle lock, so an operation still marked `running` is one whose process died half-way.
   */
  private async failedOperationOf(name: string): Promise<{ id: number; kind: string; from_version: string | null }> {
    const op = await this.knex('core_module_operations').where({ module: name }).orderBy('id', 'desc').first();
    if (!op || (op.status !== 'failed' && op.status !== 'running') || (op.kind !== 'install' && op.kind !== 'upgrade')) {
      throw new LifecycleError(`Module "${name}" has no failed install or upgrade to resume or roll back`);
    }
    return op;
  }

  private failedMessage(name: string): string {
    return `Module "${name}" was left half-way by a failed or interrupted install or upgrade; run "tessera module resume ${name}" or "tessera module rollback ${name}"`;
  }
}

/** What a module's manifest says it owns, besides the tables its migrations create. */
function declarationsOf({ manifest }: ModuleSource): Array<{ kind: string; name: string }> {
  return [
    ...manifest.permissions.map((p) => ({ kind: 'permission', name: p.name })),
    ...manifest.menus.map((m) => ({ kind: 'menu', name: m.id })),
    ...manifest.slots.map((s) => ({ kind: 'slot', name: s })),
    ...Object.keys((manifest.settings as any).properties ?? {}).map((key) => ({ kind: 'setting', name: `${manifest.name}.${key}` })),
  ];
}

export function migrationsDir(source: ModuleSource): string {
  return path.join(source.dir, 'migrations');
}
