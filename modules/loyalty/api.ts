/**
 * loyalty's public face: service identifiers, interfaces, events and permissions other modules import.
 */
import { eventName, type RequestContext, type ScopedDb } from 'tessera/core';
import type { BillingDocument } from '../billing/api';

export const LOYALTY = {
  /** `LoyaltyService`: the module's one entry point for other modules (points, balance, coupons, cards). */
  Service: Symbol.for('loyalty.Service'),
  // --- points ---
  /** `LoyaltyPointsService`: the points part of the LoyaltyService. */
  Points: Symbol.for('loyalty.Points'),
  // --- coupons ---
  /** The coupons' entity service (CRUD, `EntityService`). */
  Coupons: Symbol.for('loyalty.Coupons'),
  /** `CouponRedemptionService`: apply a code to a draft, coupons a customer used. */
  CouponRedemptions: Symbol.for('loyalty.CouponRedemptions'),
  // --- cards ---
  /** `CardTransactions`: the scanner's idempotent transactions on a card. */
  CardTransactions: Symbol.for('loyalty.CardTransactions'),
  // --- balance (prepaid balance, offers, cashback) ---
  Balance: Symbol.for('loyalty.Balance'),
  Offers: Symbol.for('loyalty.offer'),
} as const;

export const LOYALTY_PERMISSIONS = {
  pointsRead: 'loyalty.points.read',
  pointsAdjust: 'loyalty.points.adjust',
  pointsRedeem: 'loyalty.points.redeem',
  balanceRead: 'loyalty.balance.read',
  balanceRecharge: 'loyalty.balance.recharge',
  balanceAdjust: 'loyalty.balance.adjust',
  offerManage: 'loyalty.offer.manage',
  couponManage: 'loyalty.coupon.manage',
  couponApply: 'loyalty.coupon.apply',
  settingsManage: 'loyalty.settings.manage',
  // cards (part 2)
  cardRead: 'loyalty.card.read',
  cardIssue: 'loyalty.card.issue',
  cardScan: 'loyalty.card.scan',
  templateManage: 'loyalty.template.manage',
  // cards insight
  cardAnalyse: 'loyalty.card.analyse',
  webhookManage: 'loyalty.webhook.manage',
  campaignSend: 'loyalty.campaign.send',
  /** Unlimited by shop: without it a user reaches only the cards of the shops base gives them (none when none). */
  cardAllShops: 'loyalty.card.all_shops',
} as const;

// ---------------------------------------------------------------------------------------------
// Coupons

/** Why a coupon was refused: the error's `code` is `coupon_<reason>`, its `fields` name the request field. */
export type CouponRefusal = 'unknown' | 'inactive' | 'not_yet_valid' | 'expired' | 'below_minimum' | 'outside_group' | 'limit_reached' | 'customer_limit_reached' | 'already_redeemed' | 'not_a_draft';

export interface CouponRedemption {
  id: number;
  coupon_id: number;
  code: string;
  customer_id: number;
  document_id: number;
  document_kind: 'order' | 'invoice';
  /** Discount given, minor units (the discount line is its negative). */
  amount: number;
  /** Company calendar day. */
  day: string;
  /** False when the coupon was already on this document: the same redemption answered again. */
  created: boolean;
}

export interface CouponRedemptionService {
  /** Applies a code to a draft order or invoice as a discount line; idempotent per coupon and document. */
  apply(ctx: import('tessera/core').RequestContext, input: { code: string; documentId: number; kind?: 'order' | 'invoice' }): Promise<CouponRedemption>;
  /** The coupons a customer used, newest first. */
  usedBy(ctx: import('tessera/core').RequestContext, customerId: number, limit?: number): Promise<Array<Omit<CouponRedemption, 'created'> & { coupon_name: string }>>;
}
// Points (issue 13, part "points"): container.get<LoyaltyPointsService>(LOYALTY.Points)

/** An event handler's transaction or a route's context, like billing's `Caller`. */
export type PointsCaller = ScopedDb | RequestContext;

export type PointsLedgerKind = 'earned' | 'spent' | 'reversed' | 'adjusted' | 'expired';

export interface PointsLedgerLine {
  id: number;
  customer_id: number;
  kind: PointsLedgerKind;
  /** Signed: earned and positive adjustments add, the rest take away. */
  points: number;
  /** Minor units the line is about: the amount that earned, the value spent, the amount credited. */
  amount: number;
  document_kind: string | null;
  document_id: number | null;
  source_key: string;
  reason: string;
  created_at: string | null;
  created_by: number | null;
  /** Running balance after the line. */
  balance?: number;
}

export interface PointsStatement {
  customer_id: number;
  /** The sum of the ledger. */
  balance: number;
  /** What the balance is worth now, minor units (0 when negative). */
  value: number;
  card_number: string | null;
  /** Oldest first (the latest 500). */
  ledger: PointsLedgerLine[];
}

export interface PointsSettingsView {
  active: boolean;
  card_mandatory: boolean;
  /** Points per currency unit in basis points (20000 = 2 points per unit). */
  ratio_bp: number;
  mode: 'tranche' | 'direct';
  tranche_points: number;
  tranche_value: number;
  point_value: number;
  product_code: string;
  expiry_months: number;
}

export interface PointsRedemption {
  created: boolean;
  points: number;
  value: number;
  tranches: number | null;
  line: PointsLedgerLine;
  document: BillingDocument;
}

export interface LoyaltyPointsService {
  settings(caller: PointsCaller): Promise<PointsSettingsView>;
  /** Refused (422 naming `product_code`) when the points product is not in billing's catalogue. */
  saveSettings(caller: PointsCaller, patch: Partial<PointsSettingsView>): Promise<PointsSettingsView>;
  balance(caller: PointsCaller, customerId: number): Promise<number>;
  statement(caller: PointsCaller, customerId: number): Promise<PointsStatement>;
  /** Spends points on a draft invoice or order (a negative line of the points product); once per document. */
  redeem(caller: PointsCaller, input: { invoice_id?: number; order_id?: number; points?: number }): Promise<PointsRedemption>;
  adjust(caller: PointsCaller, customerId: number, points: number, reason: string, key?: string): Promise<PointsStatement>;
  setCard(caller: PointsCaller, customerId: number, cardNumber: string | null): Promise<PointsStatement>;
}

export interface PointsChanged {
  customer_id: number;
  kind: PointsLedgerKind;
  points: number;
  balance: number;
  document_kind: string | null;
  document_id: number | null;
}

export const LOYALTY_POINTS_EVENTS = {
  /** A line was written to a customer's points ledger (in the writer's transaction). */
  pointsChanged: eventName<PointsChanged>('loyalty.points.changed'),
} as const;

// --- balance (prepaid balance, offers, cashback) ---

/** A customer's prepaid balance in minor units of the company's currency; `available` = balance + credit limit. */
export interface PrepaidBalance {
  customer_id: number;
  currency: string;
  balance: number;
  credit_limit: number;
  available: number;
}

/**
 * `LOYALTY.Balance`: read a balance. Money moves only through billing (a recharge is a billing payment,
 * a spend is a billing payment in the `LOYALTY` journal), never by calling this service.
 */
export interface PrepaidBalanceService {
  summary(ctx: import('tessera/core').RequestContext, customerId: number, limit?: number): Promise<PrepaidBalance & { ledger: unknown[] }>;
}

/** The billing journal code of payments made from the prepaid balance. */
export const LOYALTY_BALANCE_JOURNAL = 'LOYALTY';
// --- end balance ---

// ---------------------------------------------------------------------------------------------
// The facade

/** What other modules use of loyalty, in one place; each part is also bound under its own id. */
export interface LoyaltyService {
  readonly points: LoyaltyPointsService;
  readonly balance: PrepaidBalanceService;
  readonly coupons: CouponRedemptionService;
}

// ---------------------------------------------------------------------------------------------
// Card events (issue 14, part "reach"): published in the writer's transaction.

export interface CardIssued {
  card_id: number;
  customer_id: number;
  template_id: number;
  type: string;
  number: string;
  shop_id: number | null;
}

export interface CardTransactionMade {
  card_id: number;
  customer_id: number;
  transaction_id: number;
  action: string;
  /** Stamps, uses or points moved (a count), or minor units for money cards. */
  quantity: number;
  /** Minor units: the purchase or what was spent. */
  amount: number;
  shop_id: number | null;
}

export interface CardRewardGiven {
  card_id: number;
  customer_id: number;
  transaction_id: number;
  action: string;
  /** What the scanner showed ("Free coffee redeemed"). */
  message: string;
}

export interface CardInstalled {
  card_id: number;
  customer_id: number;
}

export const LOYALTY_CARD_EVENTS = {
  installed: eventName<CardInstalled>('loyalty.card.installed'),
  issued: eventName<CardIssued>('loyalty.card.issued'),
  transaction: eventName<CardTransactionMade>('loyalty.card.transaction'),
  reward: eventName<CardRewardGiven>('loyalty.card.reward'),
} as const;

/** The card actions that give a reward (and publish `loyalty.card.reward`). */
export const CARD_REWARD_ACTIONS: readonly string[] = ['redeem_reward', 'redeem'];
