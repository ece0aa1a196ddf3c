import { ConflictError, toDate, type ScopedDb } from 'tessera/core';
import type { Ports } from '../billing/billing-ports';
import type { PlanRow } from '../plans/plan-entity';
import { PLANS } from '../plans/plan-service';
import { encodeToken, keyFromHex, splitDays, type TokenKind } from './openpaygo-token';

export const TOKENS = 'schemes_device_tokens';
export const CODE_NOTIFICATION = 'schemes.device_code';

/** payment: the days a payment bought; bonus: a bundle's reward days; unlock: the plan is paid off. */
export type CodeReason = 'payment' | 'bonus' | 'unlock';

export interface DeviceCode {
  id: number;
  plan_id: number;
  payment_id: number | null;
  kind: CodeReason;
  part: number;
  count: number;
  token: string;
  days: number;
  created_at: string | null;
}

/**
 * The activation codes a payment earns a code-based device, inside the payment's transaction (the plan
 * row is locked by the caller). Once per payment, reason and part (unique key; a retried delivery answers
 * the codes already issued). Each code takes the next count: the plan's counter moves by a guarded update
 * (`where device_count = <the count read>`), so a count is never used twice even by a writer that did not
 * lock the plan. Each new code is sent to the customer through messaging (dedupe key per code).
 */
export async function issueCodes(ports: Ports, db: ScopedDb, plan: PlanRow, paymentId: number, reason: CodeReason, days: number): Promise<DeviceCode[]> {
  if (plan.device_mode !== 'code' || !plan.device_secret || (reason !== 'unlock' && days <= 0)) return [];
  const issued = await codesOf(db, { payment_id: paymentId, kind: reason });
  if (issued.length) return issued;
  const key = keyFromHex(ports.secrets().open(plan.device_secret));
  if (!key) throw new Error(`Pay plan ${plan.id} has a malformed device secret`);
  const startingCode = Number(plan.device_starting_code);
  const current = await db.query(PLANS).where('id', plan.id).first('device_count');
  let last = Number(current?.device_count ?? 0);
  const parts: Array<{ kind: TokenKind; days: number }> = reason === 'unlock' ? [{ kind: 'disable_payg', days: 0 }] : splitDays(days).map((d) => ({ kind: 'add_time', days: d }));
  const codes: DeviceCode[] = [];
  for (const [part, { kind, days: value }] of parts.entries()) {
    const token = encodeToken({ key, startingCode, lastCount: last, value, kind });
    const moved = await db.query(PLANS).where({ id: plan.id, device_count: last }).update({ device_count: token.count });
    if (Number(moved) !== 1) throw new ConflictError(`The device counter of pay plan ${plan.id} moved: try again`);
    last = token.count;
    const row = { company_id: plan.company_id, plan_id: plan.id, customer_id: plan.customer_id, payment_id: paymentId, kind: reason, part, count: token.count, token: token.code, days: value };
    const id = await db.insert(TOKENS, row, { audit: false });
    codes.push({ ...row, id, created_at: new Date().toISOString() });
  }
  for (const code of codes) {
    await ports.notify().send(db, {
      template: CODE_NOTIFICATION,
      customerId: plan.customer_id,
      data: { plan: { id: plan.id, device_serial: plan.device_serial ?? '' }, code: { token: spaced(code.token), days: code.days, unlock: code.kind === 'unlock' } },
      dedupeKey: `code:${plan.id}:${code.payment_id}:${code.kind}:${code.part}`,
    });
  }
  return codes;
}

/** A plan's codes (or a payment's), oldest first. */
export async function codesOf(db: ScopedDb, where: Record<string, unknown>): Promise<DeviceCode[]> {
  const rows = (await db.query(TOKENS).where(where).orderBy('id')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({
    id: Number(r.id),
    plan_id: Number(r.plan_id),
    payment_id: r.payment_id == null ? null : Number(r.payment_id),
    kind: r.kind as CodeReason,
    part: Number(r.part),
    count: Number(r.count),
    token: String(r.token),
    days: Number(r.days),
    created_at: toDate(r.created_at)?.toISOString() ?? null,
  }));
}

/** 123 456 789: easier to read out over the phone and to type on a keypad. */
export function spaced(token: string): string {
  return token.replace(/(\d{3})(?=\d)/g, '$1 ');
}
