import type { Knex } from 'knex';
import { decoyHash, verifyPassword } from './passwords';
import { AppError } from '../http/errors';

export class TooManyAttemptsError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, 'too_many_attempts', `Too many failed sign-ins. Try again in ${Math.ceil(retryAfterSeconds / 60)} minute(s).`);
  }
}

/**
 * Checks credentials and throttles guessing: failures are counted in the database per e-mail and per
 * address over a window, so every web process sees the same count.
 */
export class LoginService {
  constructor(
    private readonly knex: Knex,
    private readonly limits: { maxFailures: number; windowSeconds: number },
  ) {}

  async login(email: string, password: string, ip: string): Promise<number | null> {
    const normalized = (email ?? '').trim().toLowerCase();
    const since = new Date(Date.now() - this.limits.windowSeconds * 1000);
    const failures = await this.knex('core_login_attempts')
      .where('created_at', '>=', since)
      .andWhere({ succeeded: false })
      .andWhere((w) => w.where({ email: normalized }).orWhere({ ip }))
      .count({ n: '*' })
      .first();
    // Per-address failures get a larger allowance: many users can share one office address.
    if (Number(failures?.n ?? 0) >= this.limits.maxFailures) {
      const byEmail = await this.knex('core_login_attempts').where('created_at', '>=', since).andWhere({ succeeded: false, email: normalized }).count({ n: '*' }).first();
      if (Number(byEmail?.n ?? 0) >= this.limits.maxFailures || Number(failures?.n ?? 0) >= this.limits.maxFailures * 4) {
        throw new TooManyAttemptsError(this.limits.windowSeconds);
      }
    }
    const user = await this.knex('core_users').where({ email: normalized }).first();
    const ok = user ? user.is_active && (await verifyPassword(password ?? '', user.password_hash)) : await verifyPassword(password ?? '', await decoyHash()).then(() => false);
    await this.knex('core_login_attempts').insert({ email: normalized.slice(0, 191), ip: ip.slice(0, 64), succeeded: Boolean(ok), created_at: new Date() });
    if (!ok) return null;
    await this.knex('core_users').where({ id: user.id }).update({ last_login_at: new Date() });
    return Number(user.id);
  }
}
