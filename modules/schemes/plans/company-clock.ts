import { CORE, type CompanyService, type ScopedDb } from 'tessera/core';
import type { Ports } from '../billing/billing-ports';

const zones = new Map<number, { timezone: string; at: number }>();
const TTL_MS = 60_000;

/** The company's time zone (cached a minute per process: business dates are the company's calendar days). */
export async function companyZone(ports: Ports, db: ScopedDb, companyId = db.principal.companyId): Promise<string> {
  const known = zones.get(companyId);
  if (known && Date.now() - known.at < TTL_MS) return known.timezone;
  const ctx = ports.contextOf(db);
  const company = await ctx.container.get<CompanyService>(CORE.Companies).get(ctx, companyId);
  const timezone = company.timezone || 'UTC';
  zones.set(companyId, { timezone, at: Date.now() });
  return timezone;
}
