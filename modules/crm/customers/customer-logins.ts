import { type ScopedDb, isDuplicateKey, toDate, ValidationError, hashPassword } from 'tessera/core';
import type { CustomerLogin } from './customer-types';

/**
 * A customer's online account. Kept in its own table so that seeing a customer never drags the login
 * along: only callers holding `crm.customer.login_details` ever read it, and the hash never leaves here.
 */
export const LOGINS = 'crm_customer_logins';

const USERNAME = /^[\p{L}\p{N}._@+\-]{3,191}$/u;

export async function loginsFor(db: ScopedDb, ids: number[]): Promise<Map<number, CustomerLogin>> {
  const map = new Map<number, CustomerLogin>();
  if (!ids.length) return map;
  const rows = await db.query(LOGINS).whereIn('customer_id', ids).select('customer_id', 'username', 'password_hash', 'last_login_at');
  for (const r of rows as Array<{ customer_id: number; username: string; password_hash: string | null; last_login_at: unknown }>) {
    const last = toDate(r.last_login_at);
    map.set(Number(r.customer_id), { username: r.username, has_password: !!r.password_hash, last_login_at: last ? last.toISOString() : null });
  }
  return map;
}

/**
 * Creates, changes or (with `null`) removes the login. Returns only the kind of change: the customer's
 * audit trail is read by people without the login permission, so the username is audited on the
 * login's own record, and the password or its hash nowhere.
 */
export async function writeLogin(
  db: ScopedDb,
  companyId: number,
  customerId: number,
  login: { username?: string | null; password?: string | null } | null,
): Promise<'created' | 'changed' | 'removed' | null> {
  const existing = (await db.query(LOGINS).where('customer_id', customerId).first()) as { id: number; username: string } | undefined;
  if (login === null) {
    if (!existing) return null;
    await db.remove(LOGINS, existing.id, { audit: false });
    await db.audit({ table: LOGINS, recordId: Number(existing.id), action: 'delete', companyId, changes: { username: existing.username } });
    return 'removed';
  }
  const errors: Record<string, string> = {};
  const username = login.username === undefined ? existing?.username : String(login.username ?? '').trim();
  if (!username) errors['login.username'] = 'is required';
  else if (!USERNAME.test(username)) errors['login.username'] = 'must be 3 to 191 letters, digits or . _ @ + -';
  const password = login.password ?? null;
  if (password !== null && password !== '' && password.length < 8) errors['login.password'] = 'must be at least 8 characters';
  if (Object.keys(errors).length) throw new ValidationError(errors);
  const patch: Record<string, unknown> = { username };
  if (password) patch.password_hash = await hashPassword(password);
  const change: Record<string, unknown> = {};
  if (!existing || existing.username !== username) change.username = username;
  if (password) change.password = 'changed';
  if (!Object.keys(change).length) return null;
  let id: number;
  try {
    if (existing) {
      id = Number(existing.id);
      await db.update(LOGINS, id, patch, { audit: false });
    } else {
      id = await db.insert(LOGINS, { ...patch, company_id: companyId, customer_id: customerId }, { audit: false });
    }
  } catch (error) {
    if (isDuplicateKey(error)) throw new ValidationError({ 'login.username': 'is already used by another customer' });
    throw error;
  }
  await db.audit({ table: LOGINS, recordId: id, action: existing ? 'update' : 'create', companyId, changes: change });
  return existing ? 'changed' : 'created';
}
