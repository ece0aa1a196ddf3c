import type { ScopedDb } from 'tessera/core';
import type { Ports } from '../billing/billing-ports';

const zones = new Map<number, { timezone: string; at: number }>();
const TTL_MS = 60_000;

/**
 * The company's time zone (cached a minute per process: business dates are the company's calendar
 * days). Read in the caller's transaction: core's company service opens a connection of its own, which
 * SQLite's single connection cannot give while a transaction holds it.
 */
export async function companyZone(_ports: Ports, db: ScopedDb, companyId = db.principal.companyId): Promise<string> {
  const known = zones.get(companyId);
  if (known && Date.now() - known.at < TTL_MS) return known.timezone;
  db.assertCompany(companyId);
  const row = await db.unscoped('the time zone of a company the caller may see (checked above)').table('core_companies').where({ id: companyId }).first('timezone');
  const timezone = String(row?.timezone || 'UTC');
  zones.set(companyId, { timezone, at: Date.now() });
  return timezone;
}
