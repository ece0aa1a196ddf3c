import path from 'node:path';
import type { Knex } from 'knex';
import { loadConfig } from '../config/load-config';
import type { TesseraConfig } from '../config/config';
import { openDatabase } from '../db/connection';
import { discoverModules } from '../modules/discovery';
import { orderByDependencies } from '../modules/dependency-order';
import { ModuleLifecycle } from '../modules/lifecycle';
import { coreMigrationsDir } from '../kernel/kernel';

export interface Host {
  config: TesseraConfig;
  knex: Knex;
  lifecycle: ModuleLifecycle;
  close(): Promise<void>;
}

/** The module host without running any module's code: enough for lifecycle commands. */
export async function openHost(): Promise<Host> {
  const config = loadConfig();
  await checkDatabase(config);
  const knex = openDatabase(config.databaseUrl, config.rootDir);
  try {
    const sources = orderByDependencies(discoverModules(path.join(config.rootDir, 'modules'), config.modulesPath, config.rootDir));
    const lifecycle = new ModuleLifecycle(knex, sources, coreMigrationsDir());
    await lifecycle.migrateCore();
    return { config, knex, lifecycle, close: () => knex.destroy() };
  } catch (error) {
    await knex.destroy();
    throw error;
  }
}

/**
 * Fails with one clear line, the database named and its password hidden, when the database of
 * DATABASE_URL cannot be opened; without it a command would fail deep inside with a driver's message.
 */
export async function checkDatabase(config: TesseraConfig): Promise<void> {
  const fail = (error: unknown) =>
    new Error(sqliteDriverProblem(config.databaseUrl) ?? `cannot open the database ${redact(config.databaseUrl)} (DATABASE_URL): ${(error as Error).message}`);
  let knex: Knex;
  try {
    knex = openDatabase(config.databaseUrl, config.rootDir, { quiet: true });
  } catch (error) {
    throw fail(error);
  }
  try {
    await knex.raw('select 1');
  } catch (error) {
    throw fail(error);
  } finally {
    await knex.destroy();
  }
}

/**
 * When SQLite cannot be opened at all, asks whether better-sqlite3's native module loads: an install
 * that skipped or failed its build (or a Node.js upgraded since) leaves it missing, and the driver's
 * own message is a dozen lines of paths. Asked only after a failure, so a normal start pays nothing.
 */
function sqliteDriverProblem(url: string): string | null {
  if (!url.startsWith('sqlite://')) return null;
  try {
    const Database = require('better-sqlite3');
    new Database(':memory:').close();
    return null;
  } catch (error) {
    // bindings' message goes on with every path it tried, one a line: the first line says it.
    const cause = String((error as Error).message ?? error).split('\n')[0].replace(/[.\s]*Tried:\s*$/, '');
    return `better-sqlite3's native module cannot be loaded (${cause}); run: npm rebuild better-sqlite3`;
  }
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@]*@/, '//$1:***@');
}

export async function withHost<T>(work: (host: Host) => Promise<T>): Promise<T> {
  const host = await openHost();
  try {
    return await work(host);
  } finally {
    await host.close();
  }
}

export function print(line = ''): void {
  process.stdout.write(line + '\n');
}
