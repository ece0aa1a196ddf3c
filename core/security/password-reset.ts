import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Container } from 'inversify';
import { AppError, ValidationError } from '../errors';
import type { AuditLog } from '../data/audit-log';
import type { JobQueue } from '../jobs/job-queue';
import { hashPassword } from './passwords';

/**
 * The extension point a module fills to send password-reset links (by e-mail, say), bound under
 * `CORE.ResetLinkSender`. Without one, the sign-in page tells people to ask an administrator.
 */
export interface ResetLinkSender {
  /**
   * Sends the link. A throw makes the core try again later (the job's back-off); `{ sent: false }` says
   * it cannot be sent at all (no channel configured) and is not tried again.
   */
  send(message: ResetLinkMessage): Promise<{ sent: true } | { sent: false; reason: string }>;
}

export interface ResetLinkMessage {
  userId: number;
  email: string;
  name: string;
  /** The user's companies, the default one first: whose channel the sender may use. */
  companyIds: number[];
  /** Opens the reset form; works once, until `expiresAt`. */
  link: string;
  expiresAt: Date;
}

export interface ResetLimits {
  /** Minutes a link works. */
  ttlMinutes: number;
  /** Requests for one address in an hour that send a link; later ones send nothing (and say the same). */
  perAccountPerHour: number;
  /** Requests from one network address in an hour, whatever the e-mail; then 429. */
  perAddressPerHour: number;
}

export const RESET_LIMITS: ResetLimits = { ttlMinutes: 30, perAccountPerHour: 3, perAddressPerHour: 20 };
export const RESET_JOB = 'core.password_reset';
export const MIN_PASSWORD_LENGTH = 8;
const TABLE = 'core_password_resets';
const HOUR_MS = 3600_000;

export class TooManyResetRequestsError extends AppError {
  constructor() {
    super(429, 'too_many_requests', 'Too many reset requests from your network. Try again in an hour.');
  }
}

/**
 * Forgotten passwords. A request answers the same whether the address is an account or not: it is
 * recorded and handed to a job either way, and only the job (away from the request's timing) looks at
 * whether there is someone to write to. The job makes the token, keeps only its hash, and gives the link
 * to the module that sends it. A link works once (a guarded update of `used_at`) and for `ttlMinutes`;
 * the new password, and who set it how, go to the audit log.
 */
export class PasswordResetService {
  constructor(
    private readonly knex: Knex,
    private readonly container: Container,
    private readonly sender: symbol,
    private readonly queue: JobQueue,
    private readonly audit: AuditLog,
    private readonly limits: ResetLimits = RESET_LIMITS,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Whether an installed module sends the links. */
  available(): boolean {
    return this.container.isBound(this.sender);
  }

  async request(email: string, ip: string, linkBase: string): Promise<void> {
    const account = String(email ?? '').trim().toLowerCase().slice(0, 191);
    const address = String(ip ?? 'unknown').slice(0, 64);
    const now = this.clock();
    const since = new Date(now.getTime() - HOUR_MS);
    const fromAddress = await this.knex(TABLE).where({ ip: address }).andWhere('created_at', '>=', since).count({ n: '*' }).first();
    if (Number(fromAddress?.n ?? 0) >= this.limits.perAddressPerHour) throw new TooManyResetRequestsError();
    if (!account) throw new ValidationError({ email: 'is required' });
    const forAccount = await this.knex(TABLE).where({ email: account }).andWhere('created_at', '>=', since).count({ n: '*' }).first();
    const [id] = await this.knex(TABLE).insert({ email: account, ip: address, link_base: linkBase.slice(0, 255), created_at: now });
    // Over the account's limit: recorded (the address limit counts it) but nothing is sent, and the
    // answer is the same, so the limit says nothing about whether the account exists.
    if (Number(forAccount?.n ?? 0) >= this.limits.perAccountPerHour) return;
    await this.queue.enqueue(RESET_JOB, { reset_id: Number(id) }, { jobKey: `${RESET_JOB}:${id}`, attempts: 5 });
  }

  /** The job: makes the token and has it sent, once, to an active account. */
  async send(resetId: number): Promise<{ sent: boolean; reason?: string }> {
    const row = await this.knex(TABLE).where({ id: resetId }).first();
    if (!row || row.token_hash || row.used_at) return { sent: false, reason: 'already sent or used' };
    const user = await this.knex('core_users').where({ email: row.email, is_active: true }).first('id', 'email', 'name', 'default_company_id');
    if (!user) return { sent: false, reason: 'no active account' };
    if (!this.available()) return { sent: false, reason: 'no module sends reset links' };
    const token = crypto.randomBytes(32).toString('base64url');
    const hash = tokenHash(token);
    const expiresAt = new Date(this.clock().getTime() + this.limits.ttlMinutes * 60_000);
    // The claim: a job run twice finds the token made and sends nothing more.
    const claimed = await this.knex(TABLE).where({ id: resetId }).whereNull('token_hash').update({ token_hash: hash, user_id: user.id, expires_at: expiresAt });
    if (Number(claimed) !== 1) return { sent: false, reason: 'already sent' };
    const companies = (await this.knex('core_user_companies').where({ user_id: user.id }).pluck('company_id')).map(Number);
    const companyIds = [Number(user.default_company_id), ...companies.filter((c) => c !== Number(user.default_company_id))].filter((c) => companies.includes(c));
    try {
      const outcome = await this.container.get<ResetLinkSender>(this.sender).send({
        userId: Number(user.id),
        email: user.email,
        name: user.name,
        companyIds,
        link: `${row.link_base.replace(/\/+$/, '')}/password/reset?token=${token}`,
        expiresAt,
      });
      if (!outcome.sent) return outcome;
    } catch (error) {
      // Not sent: the next attempt makes a new token (this one was never seen).
      await this.knex(TABLE).where({ id: resetId, token_hash: hash }).update({ token_hash: null, expires_at: null });
      throw error;
    }
    return { sent: true };
  }

  /** Whether a token still opens the form (unused, not expired). */
  async valid(token: string): Promise<boolean> {
    return Boolean(await this.usable(this.knex, token));
  }

  /** Sets the new password with a valid token, once; every other pending link of the account stops working. */
  async reset(token: string, password: string, confirm: string, ip: string): Promise<void> {
    const errors: Record<string, string> = {};
    if (String(password ?? '').length < MIN_PASSWORD_LENGTH) errors.password = `must be at least ${MIN_PASSWORD_LENGTH} characters`;
    if (confirm !== password) errors.confirm_password = 'does not match the new password';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const passwordHash = await hashPassword(password);
    await this.knex.transaction(async (trx) => {
      const row = await this.usable(trx, token);
      if (!row) throw invalidLink();
      const now = this.clock();
      const used = await trx(TABLE).where({ id: row.id }).whereNull('used_at').update({ used_at: now });
      if (Number(used) !== 1) throw invalidLink();
      await trx(TABLE).where({ user_id: row.user_id }).whereNull('used_at').update({ used_at: now });
      await trx('core_users').where({ id: row.user_id }).update({ password_hash: passwordHash, updated_at: now });
      const user = await trx('core_users').where({ id: row.user_id }).first('default_company_id');
      await this.audit.record(trx, { companyId: user?.default_company_id ?? null, actorId: Number(row.user_id), action: 'password_reset', table: 'core_users', recordId: Number(row.user_id), changes: { via: 'reset link', request_id: Number(row.id), ip: String(ip ?? '').slice(0, 64) } });
    });
  }

  private async usable(db: Knex | Knex.Transaction, token: string): Promise<{ id: number; user_id: number } | null> {
    if (typeof token !== 'string' || token.length < 20 || token.length > 100) return null;
    const row = await db(TABLE).where({ token_hash: tokenHash(token) }).whereNull('used_at').andWhere('expires_at', '>', this.clock()).first('id', 'user_id');
    return row ?? null;
  }
}

function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

function invalidLink(): AppError {
  return new AppError(410, 'link_invalid', 'This link no longer works: it was used, or it expired. Ask for a new one.');
}
