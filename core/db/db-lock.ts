import os from 'node:os';
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { isDuplicateKey } from './db-errors';

export { isDuplicateKey };

export class LockTimeoutError extends Error {}

/**
 * A lock held as a row of `core_locks`, so processes on different machines exclude each other through
 * the database they share. The primary key settles who wins; a lock whose holder died expires after
 * `ttlMs`, while a live holder keeps pushing the expiry back, however long its work takes.
 */
export async function withDbLock<T>(knex: Knex, name: string, work: () => Promise<T>, options: { ttlMs?: number; waitMs?: number } = {}): Promise<T> {
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const waitMs = options.waitMs ?? 60_000;
  const owner = `${os.hostname()}:${process.pid}:${crypto.randomUUID()}`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    // Take over a lock whose holder has expired; the insert below then races fairly.
    await knex('core_locks').where({ name }).andWhere('expires_at', '<', new Date()).delete();
    try {
      await knex('core_locks').insert({ name, owner, expires_at: new Date(Date.now() + ttlMs) });
      break;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      if (Date.now() > deadline) {
        const holder = await knex('core_locks').where({ name }).first();
        throw new LockTimeoutError(`Lock "${name}" is held by ${holder?.owner ?? 'another process'}; gave up after ${waitMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  // Without this, a migration running longer than the TTL would let a second process take the lock over.
  const heartbeat = setInterval(() => {
    knex('core_locks')
      .where({ name, owner })
      .update({ expires_at: new Date(Date.now() + ttlMs) })
      .catch(() => undefined);
  }, Math.max(20, Math.floor(ttlMs / 3)));
  heartbeat.unref?.();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    await knex('core_locks').where({ name, owner }).delete();
  }
}


/**
 * What a duplicate-key error names as the key it broke: the index on MySQL/MariaDB
 * (`crm_customers_code_unique`), the columns on SQLite (`crm_customers.company_id, crm_customers.code_norm`);
 * null for any other error. Read from the driver's own message, not the statement knex puts before it,
 * which names every column written.
 */
export function duplicateKeyOf(error: unknown): string | null {
  if (!isDuplicateKey(error)) return null;
  const e = error as { sqlMessage?: string; message?: string };
  const text = e.sqlMessage ?? e.message ?? '';
  const mysql = /for key '([^']+)'\s*$/.exec(text);
  if (mysql) return mysql[1];
  const sqlite = /UNIQUE constraint failed: (.+)$/.exec(text);
  return sqlite ? sqlite[1].trim() : null;
}
