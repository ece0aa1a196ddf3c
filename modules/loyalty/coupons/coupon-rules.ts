import { AppError, applyRate, dayIn, type ScopedDb } from 'tessera/core';
import type { CouponRefusal } from '../api';

/**
 * The coupon's arithmetic and calendar, with no database: what a coupon takes off a document total,
 * and whether a company calendar day lies in its validity. Money is integer minor units; a percent is
 * basis points, applied once to the total with core's one rounding rule (`applyRate`: half-up, BigInt).
 */
export interface CouponTerms {
  kind: 'fixed' | 'percent';
  amount: number | null;
  percent: number | null;
}

/** Half-up once: 1234 minor units × 1250 bp = 154.25 → 154; × 50 bp = 6.17 → 6; 10 × 2500 bp = 2.5 → 3. */
export function percentOf(total: number, basisPoints: number): number {
  if (total <= 0 || basisPoints <= 0) return 0;
  return applyRate(total, basisPoints);
}

/** The discount on a document of `total`: never more than the total (a document never goes below zero). */
export function discountFor(terms: CouponTerms, total: number): number {
  if (total <= 0) return 0;
  const raw = terms.kind === 'percent' ? percentOf(total, Number(terms.percent ?? 0)) : Number(terms.amount ?? 0);
  return Math.max(0, Math.min(raw, total));
}

/** Why the day is outside the coupon's validity (both ends inclusive), or null when inside. */
export function validityProblem(day: string, validFrom: string | null, validTo: string | null): 'not_yet_valid' | 'expired' | null {
  if (validFrom && day < validFrom) return 'not_yet_valid';
  if (validTo && day > validTo) return 'expired';
  return null;
}

const STATUS: Record<CouponRefusal, number> = {
  unknown: 404,
  inactive: 422,
  not_yet_valid: 422,
  expired: 422,
  below_minimum: 422,
  outside_group: 403,
  limit_reached: 409,
  customer_limit_reached: 409,
  already_redeemed: 409,
  not_a_draft: 409,
};

/** A coupon refused: `code` is `coupon_<reason>`, `fields` names the request field it is about. */
export class CouponRefused extends AppError {
  constructor(
    readonly reason: CouponRefusal,
    field: string,
    message: string,
  ) {
    super(STATUS[reason], `coupon_${reason}`, message, { [field]: message });
  }
}

/** The calendar day `YYYY-MM-DD` it is now in the time zone (core's reading). */
export function calendarDay(timeZone: string, instant: Date = new Date()): string {
  return dayIn(instant, timeZone);
}

const zones = new Map<number, { zone: string; at: number }>();

/**
 * The company's time zone, read in the caller's transaction (SQLite has one connection), cached a
 * minute per process: validity dates are the company's calendar days.
 */
export async function companyZone(db: ScopedDb, companyId = db.principal.companyId): Promise<string> {
  const known = zones.get(companyId);
  if (known && Date.now() - known.at < 60_000) return known.zone;
  db.assertCompany(companyId);
  const row = await db.unscoped('the time zone of a company the caller may see (checked above)').table('core_companies').where({ id: companyId }).first('timezone');
  const zone = String(row?.timezone || 'UTC');
  zones.set(companyId, { zone, at: Date.now() });
  return zone;
}
