import path from 'node:path';
import crypto from 'node:crypto';
import { startTestApp, type TestApp } from '../../support/harness';

/** An app running only the `depot` fixture module: two entities declared through the resource layer. */
export function startDepotApp(): Promise<TestApp> {
  return startTestApp({ kernel: { modulesDir: path.join(__dirname, '..', '..', 'fixtures', 'resources') } });
}

export const DEPOT_ALL = ['depot.shelf.write', 'depot.article.write', 'depot.article.delete', 'depot.article.export'];
export const DEPOT_READ = ['depot.shelf.read', 'depot.article.read'];

export function uniq(prefix: string): string {
  return `${prefix}${crypto.randomBytes(3).toString('hex')}`.toUpperCase();
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, Accept: 'application/json' };
}

/** A company of its own, so a test's rows and counts do not meet another test's. */
export async function newCompany(t: TestApp, currency = 'EUR', timezone = 'UTC'): Promise<number> {
  const now = new Date();
  const [id] = await t.knex('core_companies').insert({ code: uniq('C'), name: `Company ${uniq('')}`, currency, timezone, created_at: now, updated_at: now });
  return Number(id);
}
