/**
 * schemes' public face: pay-as-you-go pay plans and bonus bundles (and, next, gold saving schemes).
 * Other modules import only this file: identifiers, service interfaces, events, permissions.
 */
import { eventName, type RequestContext, type ScopedDb } from 'tessera/core';

export const SCHEMES = {
  PayPlans: Symbol.for('schemes.PayPlans'),
  Bundles: Symbol.for('schemes.Bundles'),
  /** `GoldPlanService`: gold saving plans (enrol, pay, pause, change tier, close, redeem, ledger, missed). */
  GoldPlans: Symbol.for('schemes.GoldPlans'),
  /** The gold scheme templates' entity service. */
  GoldSchemes: Symbol.for('schemes.GoldSchemes'),
  /** The daily gold rates' entity service. */
  GoldRates: Symbol.for('schemes.GoldRates'),
} as const;

export const SCHEMES_PERMISSIONS = {
  planRead: 'schemes.plan.read',
  planManage: 'schemes.plan.manage',
  bundleRead: 'schemes.bundle.read',
  bundleManage: 'schemes.bundle.manage',
  schemeManage: 'schemes.scheme.manage',
  planEnrol: 'schemes.plan.enrol',
  planPay: 'schemes.plan.pay',
  planPause: 'schemes.plan.pause',
  planChange: 'schemes.plan.change',
  planClose: 'schemes.plan.close',
  planRedeem: 'schemes.plan.redeem',
  reportRead: 'schemes.report.read',
} as const;

export type PlanStatus = 'active' | 'paused' | 'completed' | 'written_off';
export type BundleType = 'ontime_only' | 'cash_discount';

export interface PayPlanSummary {
  id: number;
  customer_id: number;
  product_code: string;
  status: PlanStatus;
  /** ISO instant; the device is on while expiry > now. */
  expiry: string;
  total: number;
  owed: number;
  days_bought: number;
  bonus_days: number;
}

export interface PaymentApplied {
  plan_id: number;
  customer_id: number;
  payment_id: number;
  amount: number;
  days: number;
  expiry: string;
}
export interface BonusAwarded {
  plan_id: number;
  customer_id: number;
  payment_id: number;
  bundle_id: number;
  type: BundleType;
  reward_days: number;
  credit_note_id: number | null;
  expiry: string;
}

/** A gold plan's instalment became paid (published in billing's transaction). */
export interface GoldInstalmentPaid {
  plan_id: number;
  customer_id: number;
  /** Who is told: the customer, or a family sub-account's main customer. */
  contact_id: number;
  gold_payment_id: number;
  payment_id: number;
  amount: number;
  reference: string;
  month: string;
  on_time: boolean;
  grams_milli: number;
}

export const SCHEMES_EVENTS = {
  paymentApplied: eventName<PaymentApplied>('schemes.plan.payment_applied'),
  bonusAwarded: eventName<BonusAwarded>('schemes.bonus.awarded'),
  goldInstalmentPaid: eventName<GoldInstalmentPaid>('schemes.gold.instalment_paid'),
} as const;

export interface PayPlanService {
  /** The customer's plans, newest first. */
  plansOf(db: ScopedDb | RequestContext, customerId: number): Promise<PayPlanSummary[]>;
}

// ---------------------------------------------------------------------------------------------
// Gold saving schemes

export type GoldPlanStatus = 'active' | 'paused' | 'matured' | 'closed' | 'redeemed';
export type GoldPaymentMode = 'cash' | 'card' | 'bank' | 'mobile_money' | 'online';

export interface GoldInstalmentInput {
  amount: number;
  mode: GoldPaymentMode;
  /** Unique per plan: the same reference again answers the same instalment (`created: false`). */
  reference: string;
  /** Default `paid`; `processing` until the gateway confirms (the same reference with `paid` or `failed`). */
  status?: 'processing' | 'paid' | 'failed';
  /** ISO instant the customer paid; judged on the company's calendar against the month's window. */
  paid_at?: string;
  /** A family sub-account's main customer paying its plan (only that plan is credited). */
  payer_id?: number;
  journal_id?: number;
  idempotency_key?: string;
}

export interface GoldInstalment {
  id: number;
  plan_id: number;
  payment_id: number | null;
  payer_id: number;
  reference: string;
  mode: string;
  amount: number;
  status: 'processing' | 'paid' | 'failed' | 'reversed';
  month: string;
  paid_at: string;
  on_time: boolean;
  rate: number | null;
  grams_milli: number;
  created?: boolean;
}

/**
 * Gold saving plans (`container.get<GoldPlanService>(SCHEMES.GoldPlans)`). Each write is one
 * transaction; errors are the core's (422 naming the field, 409 saying why, 404). `now` is for jobs
 * and tests: business days are the company's calendar days at that instant.
 */
export interface GoldPlanService {
  enrol(ctx: RequestContext, input: { customer_id: number; scheme_id: number; tier: string; start_month: string }): Promise<Record<string, any>>;
  /** The plan, its effective status, schedule (paid, late, missed, due, upcoming, paused), bonus so far, grams. */
  get(ctx: RequestContext, id: number, now?: Date): Promise<Record<string, any>>;
  plansOf(ctx: RequestContext, customerId: number): Promise<Array<Record<string, any>>>;
  /** An instalment through billing's PaymentService; only paid ones count. */
  pay(ctx: RequestContext, planId: number, input: GoldInstalmentInput, now?: Date): Promise<GoldInstalment>;
  payments(ctx: RequestContext, planId: number): Promise<GoldInstalment[]>;
  confirmPayment(ctx: RequestContext, planId: number, instalmentId: number): Promise<GoldInstalment>;
  failPayment(ctx: RequestContext, planId: number, instalmentId: number): Promise<GoldInstalment>;
  pause(ctx: RequestContext, id: number, input: { months: number; from_month?: string }, now?: Date): Promise<{ pauses: Array<{ from: string; months: number }>; maturity_date: string }>;
  previewTierChange(ctx: RequestContext, id: number, tier: string, now?: Date): Promise<Record<string, any>>;
  changeTier(ctx: RequestContext, id: number, tier: string, now?: Date): Promise<Record<string, any>>;
  /** Sends the close code by SMS (messaging's OtpService) to the customer, or a sub-account's main customer. */
  sendCloseCode(ctx: RequestContext, id: number): Promise<{ sent: boolean; expires_at: string }>;
  close(ctx: RequestContext, id: number, input: { code: string; closed_by?: number }, now?: Date): Promise<Record<string, any>>;
  redeem(ctx: RequestContext, id: number, now?: Date): Promise<Record<string, any>>;
  /** Paid instalments with a running balance, then the bonus and what was handed to billing. */
  ledger(ctx: RequestContext, id: number): Promise<Array<Record<string, any>>>;
  history(ctx: RequestContext, id: number): Promise<Array<Record<string, any>>>;
  flagMissed(ctx: RequestContext, now?: Date): Promise<{ plans: number; flagged: number }>;
  missedReport(ctx: RequestContext, month?: string, now?: Date): Promise<{ month: string; count: number; data: Array<Record<string, any>> }>;
}
