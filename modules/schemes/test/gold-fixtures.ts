import crypto from 'node:crypto';
import type { TestApp } from 'tessera/testing';
import { SCHEMES, type GoldPlanService } from '../api';
import { schemesWorld, uniq, type SchemesWorld } from './schemes-fixtures';

/** A schemes world (own company, billing journals) with gold plans, an SMS channel and helpers. */
export interface GoldWorld extends SchemesWorld {
  gold: GoldPlanService;
  schemes: any;
  rates: any;
}

export async function goldWorld(options: { timezone?: string; t?: TestApp } = {}): Promise<GoldWorld> {
  const w = await schemesWorld(options);
  await w.t.container.get<any>(Symbol.for('messaging.channel')).create(w.ctx, { channel: 'sms', endpoint: 'http://127.0.0.1:9/none', secret: 't' });
  return { ...w, gold: w.t.container.get<GoldPlanService>(SCHEMES.GoldPlans), schemes: w.t.container.get<any>(SCHEMES.GoldSchemes), rates: w.t.container.get<any>(SCHEMES.GoldRates) };
}

export async function goldCustomer(w: GoldWorld, over: Record<string, unknown> = {}): Promise<number> {
  const c = await w.customers.create(w.ctx, { first_name: 'Lakshmi', last_name: uniq('Iyer'), shop_id: w.shops[0], phone: `+9198${String(crypto.randomInt(10_000_000, 99_999_999))}`, ...over } as any);
  return c.id;
}

/** A fixed 11-month scheme, window 1st–10th, tiers T1 (1,000) and T2 (2,000), by default without reward. */
export async function makeScheme(w: GoldWorld, over: Record<string, unknown> = {}): Promise<any> {
  return w.schemes.create(w.ctx, {
    name: uniq('Gold '), kind: 'fixed', duration_months: 11, window_start_day: 1, window_end_day: 10, min_instalment: 1000,
    tiers: [{ code: 'T1', name: 'One', instalment: 1000 }, { code: 'T2', name: 'Two', instalment: 2000 }], ...over,
  });
}

export async function enrol(w: GoldWorld, schemeId: number, customerId: number, start: string, tier = 'T1'): Promise<any> {
  return w.gold.enrol(w.ctx, { customer_id: customerId, scheme_id: schemeId, tier, start_month: start });
}

/** Pays on `day` at noon UTC (cash, a fresh reference unless given). */
export function payOn(w: GoldWorld, planId: number, day: string, amount: number, over: Record<string, unknown> = {}) {
  return w.gold.pay(w.ctx, planId, { amount, mode: 'cash', reference: uniq('R'), paid_at: `${day}T12:00:00Z`, ...over } as any);
}

/** The latest close code texted to a customer, read from messaging's log (the SMS gateway's body). */
export async function lastCode(w: GoldWorld, customerId: number): Promise<string> {
  const row = await w.t.knex('messaging_notifications').where({ company_id: w.companyId, customer_id: customerId, event: 'messaging.otp' }).orderBy('id', 'desc').first('body');
  const m = /\b(\d{6})\b/.exec(String(row?.body ?? ''));
  if (!m) throw new Error(`no code texted to customer ${customerId}: ${row?.body}`);
  return m[1];
}
