import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { listTables } from '../db/connection';
import { loadCode, RUNS_COMPILED } from './code-loader';

export interface MigrationFile {
  name: string;
  file: string;
}

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

export class MigrationStepError extends Error {
  constructor(
    readonly moduleName: string,
    readonly step: string,
    override readonly cause: unknown,
  ) {
    super(`Module "${moduleName}": migration ${step} failed: ${(cause as Error)?.message ?? cause}`);
  }
}

/** What a step changed in the schema, so the host can record what each module owns. */
export interface StepEffect {
  name: string;
  tablesAdded: string[];
  tablesRemoved: string[];
}

/**
 * Runs a module's migrations both ways and journals each step in `core_migrations`, per module.
 * Steps run one by one: on MySQL a DDL statement commits by itself, so a multi-step install cannot be
 * one transaction; the journal is what lets a failed install be resumed or rolled back.
 */
export class Migrator {
  constructor(private readonly knex: Knex) {}

  /** The journal and the lock table, created before anything else runs. Safe to call concurrently. */
  async ensureJournal(): Promise<void> {
    await tolerateExisting(async () => {
      if (!(await this.knex.schema.hasTable('core_locks'))) {
        await this.knex.schema.createTable('core_locks', (t) => {
          t.string('name', 64).primary();
          t.string('owner', 128).notNullable();
          t.timestamp('expires_at', { useTz: false }).notNullable();
        });
      }
    });
    await tolerateExisting(async () => {
      if (!(await this.knex.schema.hasTable('core_migrations'))) {
        await this.knex.schema.createTable('core_migrations', (t) => {
          t.increments('id').primary();
          t.string('module', 40).notNullable();
          t.string('name', 191).notNullable();
          t.integer('operation_id').unsigned().nullable();
          t.timestamp('applied_at', { useTz: false }).notNullable();
          t.unique(['module', 'name']);
        });
      }
    });
  }

  /**
   * A module's migrations, named without their extension: a step is the same whether its file is
   * TypeScript or compiled JavaScript. Where a folder holds both, the one this process runs is used.
   */
  files(dir: string): MigrationFile[] {
    if (!fs.existsSync(dir)) return [];
    const byName = new Map<string, MigrationFile>();
    for (const f of fs.readdirSync(dir).filter((f) => /^\d+[_-].+\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))) {
      const name = migrationName(f);
      if (!byName.has(name) || f.endsWith(RUNS_COMPILED ? '.js' : '.ts')) byName.set(name, { name, file: path.join(dir, f) });
    }
    return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async applied(moduleName: string): Promise<Array<{ name: string; operation_id: number | null }>> {
    const rows: Array<{ name: string; operation_id: number | null }> = await this.knex('core_migrations').where({ module: moduleName }).orderBy('name').select('name', 'operation_id');
    return rows.map((row) => ({ ...row, name: migrationName(row.name) }));
  }

  async pending(moduleName: string, dir: string): Promise<MigrationFile[]> {
    const done = new Set((await this.applied(moduleName)).map((m) => m.name));
    return this.files(dir).filter((f) => !done.has(f.name));
  }

  /**
   * Every module's applied steps in one query (a start checks them all), or null when the journal
   * does not exist yet (a first start).
   */
  async appliedByModule(): Promise<Map<string, Set<string>> | null> {
    let rows: Array<{ module: string; name: string }>;
    try {
      rows = await this.knex('core_migrations').select('module', 'name');
    } catch (error) {
      if (await this.knex.schema.hasTable('core_migrations')) throw error;
      return null;
    }
    const byModule = new Map<string, Set<string>>();
    for (const row of rows) {
      const names = byModule.get(row.module) ?? new Set<string>();
      names.add(migrationName(row.name));
      byModule.set(row.module, names);
    }
    return byModule;
  }

  /** The steps of `dir` not in `applied` (one module's entry of appliedByModule). */
  pendingAmong(applied: ReadonlySet<string> | undefined, dir: string): MigrationFile[] {
    return this.files(dir).filter((f) => !applied?.has(f.name));
  }

  /** Applies the pending steps in order; stops at the first failure with the step named. */
  async up(moduleName: string, dir: string, options: { operationId?: number; onStep?: (step: string) => Promise<void> } = {}): Promise<StepEffect[]> {
    const effects: StepEffect[] = [];
    for (const migration of await this.pending(moduleName, dir)) {
      await options.onStep?.(migration.name);
      const before = new Set(await listTables(this.knex));
      try {
        const code = load(migration.file);
        await this.knex.transaction(async (trx) => {
          await code.up(trx);
          await trx('core_migrations').insert({ module: moduleName, name: migration.name, operation_id: options.operationId ?? null, applied_at: new Date() });
        });
      } catch (error) {
        throw new MigrationStepError(moduleName, migration.name, error);
      }
      const after = new Set(await listTables(this.knex));
      effects.push({ name: migration.name, tablesAdded: [...after].filter((t) => !before.has(t)), tablesRemoved: [...before].filter((t) => !after.has(t)) });
    }
    return effects;
  }

  /** Reverts the named applied steps, newest first. */
  async down(moduleName: string, dir: string, names: string[], options: { onStep?: (step: string) => Promise<void> } = {}): Promise<StepEffect[]> {
    const byName = new Map(this.files(dir).map((f) => [f.name, f]));
    const effects: StepEffect[] = [];
    for (const name of [...names].sort().reverse()) {
      const migration = byName.get(name);
      if (!migration) throw new MigrationStepError(moduleName, name, new Error('its file is gone, so it cannot be reverted'));
      await options.onStep?.(`${name} (down)`);
      const before = new Set(await listTables(this.knex));
      try {
        await this.knex.transaction(async (trx) => {
          await load(migration.file).down(trx);
          await trx('core_migrations').where({ module: moduleName }).whereIn('name', [name, `${name}.ts`, `${name}.js`]).delete();
        });
      } catch (error) {
        throw new MigrationStepError(moduleName, `${name} (down)`, error);
      }
      const after = new Set(await listTables(this.knex));
      effects.push({ name, tablesAdded: [...after].filter((t) => !before.has(t)), tablesRemoved: [...before].filter((t) => !after.has(t)) });
    }
    return effects;
  }
}

/** A journal entry or a file, without the extension some journals and folders carry. */
function migrationName(file: string): string {
  return file.replace(/\.(ts|js)$/, '');
}

function load(file: string): MigrationModule {
  const loaded = loadCode(file);
  const code = (loaded.default ?? loaded) as MigrationModule;
  if (typeof code.up !== 'function' || typeof code.down !== 'function') {
    throw new Error(`${file} must export up(knex) and down(knex)`);
  }
  return code;
}

async function tolerateExisting(work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!/already exists/i.test((error as Error).message)) throw error;
  }
}
