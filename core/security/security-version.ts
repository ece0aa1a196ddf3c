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
}

/** A sub-select giving the current counter, to read it in the same query as the user row. */
export function securityVersionSubquery(db: Knex): Knex.QueryBuilder {
  return db('core_kv').where({ key: KEY }).select('value');
}
