/**
 * schemes' public face: pay-as-you-go pay plans and bonus bundles (and, next, gold saving schemes).
 * Other modules import only this file: identifiers, service interfaces, events, permissions.
 */
import { eventName, type RequestContext, type ScopedDb } from 'tessera/core';

export const SCHEMES = {
  PayPlans: Symbol.for('schemes.PayPlans'),
  Bundles: Symbol.for('schemes.Bundles'),
} as const;

export const SCHEMES_PERMISSIONS = {
  planRead: 'schemes.plan.read',
  planManage: 'schemes.plan.manage',
  bundleRead: 'schemes.bundle.read',
  bundleManage: 'schemes.bundle.manage',
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

export const SCHEMES_EVENTS = {
  paymentApplied: eventName<PaymentApplied>('schemes.plan.payment_applied'),
  bonusAwarded: eventName<BonusAwarded>('schemes.bonus.awarded'),
} as const;

export interface PayPlanService {
  /** The customer's plans, newest first. */
  plansOf(db: ScopedDb | RequestContext, customerId: number): Promise<PayPlanSummary[]>;
}
