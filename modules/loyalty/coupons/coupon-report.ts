import { csvSafe, type RequestContext, type ScopedDb } from 'tessera/core';
import { CODES_TABLE } from './coupon-codes';
import { REDEMPTIONS } from './coupon-redemptions';

type Row = Record<string, any>;

export interface CouponUse {
  /** Company calendar days. */
  from: string;
  to: string;
  days: Array<{ day: string; uses: number; discount: number }>;
  coupons: Array<{ coupon_id: number; name: string; uses: number; discount: number }>;
  total: { uses: number; discount: number };
}

/** Redemptions per day and per coupon between two company days (inclusive); amounts in minor units. */
export async function couponUse(ctx: RequestContext, from: string, to: string): Promise<CouponUse> {
  const companyId = ctx.companyId;
  const base = () => ctx.db.queryCompany(companyId, REDEMPTIONS, 'r').where('r.day', '>=', from).where('r.day', '<=', to);
  const days = (await base().groupBy('r.day').orderBy('r.day').select('r.day').count({ uses: '*' }).sum({ discount: 'r.amount' })) as Row[];
  const coupons = (await base()
    .join('loyalty_coupons as c', 'c.id', 'r.coupon_id')
    .groupBy('r.coupon_id', 'c.name')
    .orderBy('discount', 'desc')
    .select('r.coupon_id', 'c.name')
    .count({ uses: '*' })
    .sum({ discount: 'r.amount' })) as Row[];
  const daysOut = days.map((d) => ({ day: String(d.day), uses: Number(d.uses), discount: Number(d.discount) }));
  return {
    from,
    to,
    days: daysOut,
    coupons: coupons.map((c) => ({ coupon_id: Number(c.coupon_id), name: String(c.name), uses: Number(c.uses), discount: Number(c.discount) })),
    total: { uses: daysOut.reduce((n, d) => n + d.uses, 0), discount: daysOut.reduce((n, d) => n + d.discount, 0) },
  };
}

/** One CSV cell: a formula-looking text defused by core's csvSafe, quoted when needed. */
export function csvCell(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = csvSafe(value === null || value === undefined ? '' : String(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A coupon's codes as CSV lines, in pages of 1,000 (a batch of 100,000 never sits in memory). */
export async function* codesCsv(db: ScopedDb, couponId: number): AsyncGenerator<string> {
  const line = (values: unknown[]) => values.map(csvCell).join(',') + '\r\n';
  yield line(['code', 'coupon', 'status', 'redeemed_at', 'customer_id', 'document_id']);
  const coupon = (await db.queryCompany(db.principal.companyId, 'loyalty_coupons').where({ id: couponId }).first()) as Row | undefined;
  if (!coupon) return;
  let after = 0;
  for (;;) {
    const rows = (await db.queryCompany(db.principal.companyId, CODES_TABLE).where({ coupon_id: couponId }).where('id', '>', after).orderBy('id').limit(1000)) as Row[];
    for (const r of rows) {
      const redeemed = r.redeemed_at ? new Date(r.redeemed_at).toISOString() : '';
      yield line([r.code, coupon.name, redeemed ? 'redeemed' : 'available', redeemed, r.customer_id ?? '', r.document_id ?? '']);
    }
    if (rows.length < 1000) return;
    after = Number(rows[rows.length - 1].id);
  }
}
