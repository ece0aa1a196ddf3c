import type { Knex } from 'knex';

const KEY = 'security_version';

/**
 * A counter in the database that every change to who may do what moves forward: roles and their
 * permissions, a user's roles or companies, companies themselves. Processes may keep what they loaded
 * for a user as long as the counter has not moved, so a change made by any process is seen by all of
 * them on their next request.
 */
export async function bumpSecurityVersion(db: Knex | Knex.Transaction): Promise<void> {
  await db('core_kv').insert({ key: KEY, value: '0' }).onConflict('key').ignore();
  await db('core_kv').where({ key: KEY }).update({ value: db.raw('?? + 1', ['value']) });
  announceSecurityChange();
  // In a transaction the new counter is visible to others only once it commits: a read made between
  // the announcement above and the COMMIT could keep the old one, so it is announced again after.
  const ended = (db as Knex.Transaction).executionPromise;
  if (ended) void ended.then(announceSecurityChange, announceSecurityChange);
}

type SecurityChangeListener = () => void;
const listeners = new Set<SecurityChangeListener>();

/**
 * Called whenever this process moves the security version (or revokes a token): what a process keeps
 * of who may do what (the bearer token cache) is dropped at once, and the kernel tells its other
 * processes. Returns the function that stops the calls.
 */
export function onSecurityChange(listener: SecurityChangeListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function announceSecurityChange(): void {
  for (const listener of listeners) listener();
}

/** A sub-select giving the current counter, to read it in the same query as the user row. */
export function securityVersionSubquery(db: Knex): Knex.QueryBuilder {
  return db('core_kv').where({ key: KEY }).select('value');
}
