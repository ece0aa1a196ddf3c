import crypto from 'node:crypto';
import { toDate, ValidationError, type ScopedDb } from 'tessera/core';
import type { NotifyService, OtpIssue, OtpService } from '../api';
import { messagingSettings } from '../settings';

const TABLE = 'messaging_otps';

/**
 * One-time codes: six digits sent by SMS, stored as an HMAC keyed by the row (never the code), valid for
 * the company's minutes, with a limited number of tries. Issuing again for the same (customer, purpose,
 * ref) retires the previous code. Verifying is a guarded update, so one code opens once.
 */
export class OtpServiceImpl implements OtpService {
  constructor(private readonly notify: () => NotifyService) {}

  async issue(db: ScopedDb, request: OtpIssue): Promise<{ id: number; expires_at: string; delivery: Awaited<ReturnType<NotifyService['send']>> }> {
    check(request);
    return db.transaction(async (tx) => {
      const companyId = tx.principal.companyId;
      const settings = await messagingSettings(tx, companyId);
      const now = new Date();
      const expires = new Date(now.getTime() + settings.otp_ttl_minutes * 60_000);
      const where = { customer_id: request.customerId, purpose: request.purpose, ref: request.ref };
      await tx.queryCompany(companyId, TABLE).where(where).whereNull('used_at').update({ used_at: now });
      const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
      const salt = crypto.randomBytes(16).toString('hex');
      const knex = tx.unscoped('OTP rows carry the company of the scoped caller');
      const [id] = await knex(TABLE).insert({ company_id: companyId, ...where, code_hash: `${salt}:${hash(salt, code)}`, expires_at: expires, attempts: 0, max_attempts: settings.otp_max_attempts, created_at: now });
      const delivery = await this.notify().send(tx, {
        template: 'messaging.otp',
        customerId: request.customerId,
        channel: 'sms',
        data: { otp: { code, minutes: settings.otp_ttl_minutes, purpose: request.purpose } },
        dedupeKey: `otp:${Number(id)}`,
      });
      return { id: Number(id), expires_at: expires.toISOString(), delivery };
    });
  }

  async verify(db: ScopedDb, request: OtpIssue & { code: string }): ReturnType<OtpService['verify']> {
    check(request);
    return db.transaction(async (tx) => {
      const companyId = tx.principal.companyId;
      const row = await tx
        .queryCompany(companyId, TABLE)
        .where({ customer_id: request.customerId, purpose: request.purpose, ref: request.ref })
        .orderBy('id', 'desc')
        .first();
      if (!row || row.used_at) return { ok: false, reason: 'no_code' as const };
      if ((toDate(row.expires_at)?.getTime() ?? 0) <= Date.now()) return { ok: false, reason: 'expired' as const };
      if (Number(row.attempts) >= Number(row.max_attempts)) return { ok: false, reason: 'too_many_attempts' as const };
      const [salt, stored] = String(row.code_hash).split(':');
      const given = hash(salt, String(request.code ?? '').trim());
      const right = crypto.timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(stored, 'hex'));
      const table = () => tx.queryCompany(companyId, TABLE).where({ id: row.id }).whereNull('used_at').where('attempts', '<', row.max_attempts);
      if (!right) {
        await table().increment('attempts', 1);
        return { ok: false, reason: 'wrong_code' as const };
      }
      // Two verifications of the same code at once: the guarded update lets one through.
      const used = await table().update({ used_at: new Date() });
      return Number(used) === 1 ? { ok: true, reason: 'ok' as const } : { ok: false, reason: 'no_code' as const };
    });
  }
}

function hash(salt: string, code: string): string {
  return crypto.createHmac('sha256', salt).update(code).digest('hex');
}

function check(request: OtpIssue): void {
  const errors: Record<string, string> = {};
  if (!Number.isSafeInteger(Number(request.customerId)) || Number(request.customerId) <= 0) errors.customerId = 'must be a customer id';
  if (!request.purpose || request.purpose.length > 100) errors.purpose = 'is required (at most 100 characters)';
  if (!request.ref || request.ref.length > 191) errors.ref = 'is required (at most 191 characters)';
  if (Object.keys(errors).length) throw new ValidationError(errors);
}
