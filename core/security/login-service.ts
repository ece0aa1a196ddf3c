import type { Knex } from 'knex';
import { decoyHash, verifyPassword } from './passwords';
import { AppError } from '../errors';
import { toDate } from '../db/schema-helpers';
import { type LoginLimits, loginVerdict } from './login-throttle';

export class TooManyAttemptsError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'too_many_attempts', `Too many failed sign-ins. Try again in ${spell(retryAfterSeconds)}.`);
  }
}

function spell(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

const TABLE = 'core_login_attempts';
const PRUNE_EVERY_MS = 3600_000;

/**
 * Checks credentials and throttles guessing (see login-throttle.ts for the rule). Attempts are rows in
 * the database, so every web process counts the same ones.
 */
export class LoginService {
  private readonly limits: LoginLimits;
  private lastPrune = 0;

  constructor(
    private readonly knex: Knex,
    limits: Partial<LoginLimits> & Pick<LoginLimits, 'maxFailures' | 'windowSeconds'>,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  async login(email: string, password: string, ip: string): Promise<number | null> {
    const account = (email ?? '').trim().toLowerCase().slice(0, 191);
    const address = (ip ?? 'unknown').slice(0, 64);
    const now = this.clock();
    // Recorded as a failure before the password is checked, so that guesses sent at the same moment
    // count one another; it becomes a success, or is taken back when the attempt is refused unheard.
    const [attemptId] = await this.knex(TABLE).insert({ email: account, ip: address, succeeded: false, created_at: now });
    const waitSeconds = loginVerdict(await this.history(account, address, Number(attemptId), now), this.limits, now);
    if (waitSeconds > 0) {
      await this.knex(TABLE).where({ id: attemptId }).delete();
      throw new TooManyAttemptsError(waitSeconds);
    }
    const user = await this.knex('core_users').where({ email: account }).first();
    const ok = user ? Boolean(user.is_active) && (await verifyPassword(password ?? '', user.password_hash)) : await verifyPassword(password ?? '', await decoyHash()).then(() => false);
    if (!ok) return null;
    await this.knex(TABLE).where({ id: attemptId }).update({ succeeded: true });
    await this.knex('core_users').where({ id: user.id }).update({ last_login_at: now });
    await this.prune(now);
    return Number(user.id);
  }

  /** What the attempts before this one say about the account, the address and the two together. */
  private async history(account: string, address: string, attemptId: number, now: Date) {
    const { windowSeconds, pairMemorySeconds, trustedAddressDays } = this.limits;
    const since = new Date(now.getTime() - windowSeconds * 1000);
    const before = () => this.knex(TABLE).where('id', '<', attemptId);
    const lastSuccess = await before()
      .where({ email: account, ip: address, succeeded: true })
      .andWhere('created_at', '>=', new Date(now.getTime() - trustedAddressDays * 86_400_000))
      .max({ id: 'id' })
      .first();
    const successId = lastSuccess?.id == null ? 0 : Number(lastSuccess.id);
    const pair = await before()
      .where({ email: account, ip: address, succeeded: false })
      .andWhere('id', '>', successId)
      .andWhere('created_at', '>=', new Date(now.getTime() - pairMemorySeconds * 1000))
      .count({ n: '*' })
      .max({ last: 'created_at' })
      .first();
    const [byAccount, byAddress] = await Promise.all([
      before().where({ email: account, succeeded: false }).andWhere('created_at', '>=', since).count({ n: '*' }).first(),
      before().where({ ip: address, succeeded: false }).andWhere('created_at', '>=', since).count({ n: '*' }).first(),
    ]);
    return {
      knownAddress: successId > 0,
      pairFailures: Number(pair?.n ?? 0),
      lastPairFailure: toDate(pair?.last),
      accountFailures: Number(byAccount?.n ?? 0),
      addressFailures: Number(byAddress?.n ?? 0),
    };
  }

  /** At most once an hour per process: attempts older than anything the rule still reads. */
  private async prune(now: Date): Promise<void> {
    if (now.getTime() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now.getTime();
    const { pairMemorySeconds, windowSeconds, trustedAddressDays } = this.limits;
    const failuresKept = Math.max(pairMemorySeconds, windowSeconds) * 1000;
    await this.knex(TABLE).where({ succeeded: false }).andWhere('created_at', '<', new Date(now.getTime() - failuresKept)).delete();
    await this.knex(TABLE).where('created_at', '<', new Date(now.getTime() - trustedAddressDays * 86_400_000)).delete();
  }
}

export const DEFAULT_LIMITS: LoginLimits = {
  maxFailures: 5,
  windowSeconds: 900,
  firstDelaySeconds: 5,
  pairMemorySeconds: 86_400,
  maxAddressFailures: 200,
  accountAlarmFailures: 20,
  trustedAddressDays: 30,
};
