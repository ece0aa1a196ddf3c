import type { Knex } from 'knex';
import { CORE, type ModuleContext, type RequestContext, type ScopedDb } from 'tessera/core';
import { LEDGER, appendLine, inTransaction, lockAccount } from './points-ledger';
import { pointsToExpire } from './points-rules';
import { SETTINGS_TABLE, readSettings } from './points-settings';

interface SystemContexts {
  system(companyIds: number[], companyId?: number): RequestContext;
}

/** The instant `months` calendar months before `now` (UTC; the 31st falls back to the month's last day). */
export function monthsBefore(now: Date, months: number): Date {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/** Points consumed so far and points added before `cutoff`, for one customer or every customer. */
function lotsQuery(db: ScopedDb, cutoff: Date): Knex.QueryBuilder {
  const raw = db.unscoped('aggregate expressions').raw.bind(db.unscoped('aggregate expressions'));
  return db
    .queryCompany(db.principal.companyId, LEDGER)
    .groupBy('customer_id')
    .select('customer_id', raw('coalesce(sum(case when points > 0 and created_at < ? then points else 0 end), 0) as old_points', [cutoff]), raw('coalesce(sum(case when points < 0 then -points else 0 end), 0) as consumed'));
}

/**
 * Expires, for every customer of the company, the points added more than N months ago and not yet
 * consumed. Debits consume the oldest points first, so what is left of the old points is
 * `max(0, added before the cutoff − every debit so far)`: no per-lot bookkeeping. One expiry line per
 * customer and day (source key), so a second run the same day writes nothing.
 */
export async function expireCompany(db: ScopedDb, now = new Date()): Promise<{ customers: number; points: number }> {
  const settings = await readSettings(db);
  if (settings.expiry_months <= 0) return { customers: 0, points: 0 };
  const cutoff = monthsBefore(now, settings.expiry_months);
  const candidates = (await lotsQuery(db, cutoff)) as Array<Record<string, unknown>>;
  let customers = 0;
  let points = 0;
  for (const c of candidates) {
    if (pointsToExpire(Number(c.old_points), Number(c.consumed)) <= 0) continue;
    const customerId = Number(c.customer_id);
    const expired = await inTransaction(db, async (trx) => {
      await lockAccount(trx, customerId);
      // Read again under the account's lock: a redemption may have consumed them meanwhile.
      const fresh = (await lotsQuery(trx, cutoff).where('customer_id', customerId).first()) as Record<string, unknown>;
      const n = pointsToExpire(Number(fresh.old_points), Number(fresh.consumed));
      if (n <= 0) return 0;
      const { created } = await appendLine(trx, { customerId, kind: 'expired', points: -n, sourceKey: `expire:${customerId}:${now.toISOString().slice(0, 10)}`, reason: `Earned before ${cutoff.toISOString().slice(0, 10)} (${settings.expiry_months} months)` }, { guard: true });
      return created ? n : 0;
    });
    if (expired > 0) {
      customers += 1;
      points += expired;
    }
  }
  return { customers, points };
}

/** Every night, each company with an expiry expires its old points (the job is idempotent per day). */
export function registerExpiryJob(m: ModuleContext): void {
  m.jobs.schedule('expire-points', '41 1 * * *', async () => expireAll(m));
}

export async function expireAll(m: Pick<ModuleContext, 'container'>, now = new Date()): Promise<number> {
  const knex = m.container.get<Knex>(CORE.Knex);
  const contexts = m.container.get<SystemContexts>(CORE.Contexts);
  // Which companies expire points: the installation's own work, across companies.
  const companies = (await knex(SETTINGS_TABLE).where('expiry_months', '>', 0).pluck('company_id')) as number[];
  let total = 0;
  for (const companyId of companies.map(Number)) total += (await expireCompany(contexts.system([companyId], companyId).db, now)).points;
  return total;
}
