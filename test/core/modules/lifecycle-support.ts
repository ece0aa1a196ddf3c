import path from 'node:path';
import type { Knex } from 'knex';
import { openDatabase } from '../../../core/db/connection';
import { ROOT_DIR } from '../../../core/config/load-config';
import { coreMigrationsDir } from '../../../core/kernel/kernel';
import { readManifest, ModuleSource } from '../../../core/modules/manifest';
import { orderByDependencies } from '../../../core/modules/dependency-order';
import { ModuleLifecycle } from '../../../core/modules/lifecycle';
import { createTestDatabase, TestDatabase } from '../../support/test-database';

/*
 * What the lifecycle tests share (lifecycle.test.ts: install, upgrade, uninstall; lifecycle-recovery.test.ts:
 * failed steps, two processes at once). Fixtures (test/fixtures/lifecycle):
 *   notebook-v1      notebook 1.0.0: 001 creates notebook_pages; a permission, a menu, a slot, a setting
 *   notebook-v2      notebook 1.1.0: 001 as above, 002 creates notebook_tags; one more permission and menu
 *   notebook-broken  notebook 1.1.0: 001, 002 as in v2, and 003 which throws
 *   annotate         annotate 1.0.0, depends on notebook: 001 creates annotate_marks
 *   annotate-broken  annotate 1.0.0: 001 as above, and 002 which throws
 *   squatter         declares a menu id and a slot that notebook owns
 */
export const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'lifecycle');

function sourcesFrom(dirs: string[]): ModuleSource[] {
  return orderByDependencies(dirs.map((dir) => ({ manifest: readManifest(dir), dir, origin: 'external' as const })));
}

export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to be rejected, but it resolved');
}

/** A fresh database for each test of the calling `describe`, and the helpers that read its journal. */
export function lifecycleDatabase() {
  let database: TestDatabase;
  const opened: Knex[] = [];

  /** One process's view of the host: its own connection, and the module folders it was deployed with. */
  async function processWith(...fixtures: string[]): Promise<{ knex: Knex; lifecycle: ModuleLifecycle }> {
    return processWithDirs(fixtures.map((f) => (path.isAbsolute(f) ? f : path.join(FIXTURES, f))));
  }
  async function processWithDirs(dirs: string[]): Promise<{ knex: Knex; lifecycle: ModuleLifecycle }> {
    const knex = openDatabase(database.url, ROOT_DIR);
    opened.push(knex);
    const lifecycle = new ModuleLifecycle(knex, sourcesFrom(dirs), coreMigrationsDir());
    await lifecycle.migrateCore();
    return { knex, lifecycle };
  }
  /** A connection of its own, closed after the test. */
  function connection(): Knex {
    const knex = openDatabase(database.url, ROOT_DIR);
    opened.push(knex);
    return knex;
  }

  const journal = async (knex: Knex, module: string) => (await knex('core_migrations').where({ module }).orderBy('name').select('id', 'name', 'operation_id')).map((r: any) => ({ ...r, id: Number(r.id), operation_id: r.operation_id === null ? null : Number(r.operation_id) }));
  const journalNames = async (knex: Knex, module: string) => (await journal(knex, module)).map((r) => r.name);
  const moduleRow = (knex: Knex, name: string) => knex('core_modules').where({ name }).first();
  const owned = async (knex: Knex, module: string, kind: string) => (await knex('core_module_ownership').where({ module, kind }).pluck('name')).sort();
  const operations = (knex: Knex, module: string) => knex('core_module_operations').where({ module }).orderBy('id').select();

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    for (const knex of opened.splice(0)) await knex.destroy();
    await database.drop();
  });

  return { processWith, processWithDirs, connection, journal, journalNames, moduleRow, owned, operations };
}
