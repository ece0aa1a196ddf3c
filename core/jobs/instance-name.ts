import crypto from 'node:crypto';
import path from 'node:path';
import type { Knex } from 'knex';

/**
 * The name an installation's queue keys carry when `instanceName` is not configured: the database's
 * name and a short id made once and kept in that database. Every process of one installation reads
 * the same id however it spells its DATABASE_URL, and two installations never share a database, so
 * they never share keys.
 */
export async function defaultInstanceName(knex: Knex, databaseUrl: string): Promise<string> {
  await knex('core_kv').insert({ key: 'installation_id', value: crypto.randomBytes(8).toString('hex') }).onConflict('key').ignore();
  const { value } = await knex('core_kv').where({ key: 'installation_id' }).first('value');
  return `${databaseName(databaseUrl)}-${String(value).slice(0, 8)}`;
}

function databaseName(url: string): string {
  const raw = url.startsWith('sqlite://') ? path.basename(url.slice('sqlite://'.length)).replace(/\.[^.]*$/, '') : new URL(url.replace(/^mariadb:/, 'mysql:')).pathname.slice(1);
  return raw.toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'tessera';
}
