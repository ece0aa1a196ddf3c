import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { RequestContext } from './request-context';
import type { ApiTokenSummary, TokenService } from './services';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { toDate } from '../db/schema-helpers';
import { announceSecurityChange, securityVersionSubquery } from './security-version';
import { BearerCache } from './bearer-cache';

const PREFIX = 'tsr_';

/** Bearer tokens for integrators. Only a SHA-256 of the secret is stored; the token acts as its user. */
export class TokenServiceImpl implements TokenService {
  constructor(
    private readonly knex: Knex,
    /** What `authenticateUser` last read per token (none kept by default). */
    private readonly cache = new BearerCache(0),
  ) {}

  async create(ctx: RequestContext, name: string): Promise<{ token: string; record: ApiTokenSummary }> {
    if (!ctx.user.id) throw new ForbiddenError();
    return this.createFor(ctx.user.id, name);
  }

  async createFor(userId: number, name: string): Promise<{ token: string; record: ApiTokenSummary }> {
    if (!name?.trim()) throw new ValidationError({ name: 'is required' });
    const token = PREFIX + crypto.randomBytes(32).toString('base64url');
    const [id] = await this.knex('core_api_tokens').insert({ user_id: userId, name: name.trim(), prefix: token.slice(0, 12), token_hash: sha256(token), created_at: new Date() });
    const row = await this.knex('core_api_tokens').where({ id }).first();
    return { token, record: toSummary(row) };
  }

  async list(ctx: RequestContext): Promise<ApiTokenSummary[]> {
    const rows = await this.knex('core_api_tokens').where({ user_id: ctx.user.id }).whereNull('revoked_at').orderBy('id', 'desc');
    return rows.map(toSummary);
  }

  async revoke(ctx: RequestContext, id: number): Promise<void> {
    const updated = await this.knex('core_api_tokens').where({ id, user_id: ctx.user.id }).whereNull('revoked_at').update({ revoked_at: new Date() });
    if (!updated) throw new NotFoundError('Token');
    announceSecurityChange();
  }

  /** The user a bearer token belongs to, or null for an unknown or revoked token. */
  async authenticate(token: string): Promise<number | null> {
    if (!token.startsWith(PREFIX)) return null;
    const row = await this.knex('core_api_tokens').where({ token_hash: sha256(token) }).whereNull('revoked_at').first();
    if (!row) return null;
    await this.touch(row);
    return Number(row.user_id);
  }

  /**
   * The user row of a bearer token (with `security_version`, as `Contexts.principalFromRow` takes it),
   * the token and its user read in one query: every API request pays for this, so it is one round trip,
   * not two; and for a known token, within the cache's time, no read at all. Null for an unknown or
   * revoked token.
   */
  async authenticateUser(token: string): Promise<Record<string, any> | null> {
    if (!token.startsWith(PREFIX)) return null;
    const hash = sha256(token);
    const kept = this.cache.get(hash);
    if (kept) return { ...kept };
    const mark = this.cache.mark();
    const row = await this.knex('core_api_tokens as t')
      .join('core_users as u', 'u.id', 't.user_id')
      .where('t.token_hash', hash)
      .whereNull('t.revoked_at')
      // The user's columns a principal is made of, not the row: every API call reads this, and the
      // password hash has no business in it.
      .first('u.id', 'u.email', 'u.name', 'u.is_active', 'u.default_company_id', 't.id as token_id', 't.last_used_at as token_last_used_at', securityVersionSubquery(this.knex).as('security_version'));
    if (!row) return null;
    await this.touch({ id: row.token_id, last_used_at: row.token_last_used_at });
    const { token_id: _id, token_last_used_at: _used, ...user } = row;
    this.cache.keep(hash, user, mark);
    return { ...user };
  }

  /** Touching last_used_at at most once a minute keeps reads from turning into writes on every call. */
  private async touch(row: { id: unknown; last_used_at: unknown }): Promise<void> {
    const last = toDate(row.last_used_at as Date | string | number | null);
    if (!last || Date.now() - last.getTime() > 60_000) await this.knex('core_api_tokens').where({ id: row.id }).update({ last_used_at: new Date() });
  }
}

/** One-shot hashing: every API request hashes its token, and a Hash object per call costs more than the digest. */
function sha256(text: string): string {
  return crypto.hash('sha256', text, 'hex');
}

function toSummary(row: any): ApiTokenSummary {
  return { id: Number(row.id), name: row.name, prefix: row.prefix, created_at: toDate(row.created_at), last_used_at: toDate(row.last_used_at) };
}
