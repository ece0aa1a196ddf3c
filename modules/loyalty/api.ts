/**
 * loyalty's public face: service identifiers, interfaces, events and permissions other modules import.
 */
export const LOYALTY = {
  /** `CardTransactions`: the scanner's idempotent transactions on a card. */
  CardTransactions: Symbol.for('loyalty.CardTransactions'),
  // coupons
  /** The coupons' entity service (CRUD, `EntityService`). */
  Coupons: Symbol.for('loyalty.Coupons'),
  /** `CouponRedemptionService`: apply a code to a draft, coupons a customer used. */
  CouponRedemptions: Symbol.for('loyalty.CouponRedemptions'),
} as const;

export const LOYALTY_PERMISSIONS = {
  pointsRead: 'loyalty.points.read',
  pointsAdjust: 'loyalty.points.adjust',
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
