/**
 * loyalty's public face: service identifiers, interfaces, events and permissions other modules import.
 */
export const LOYALTY = {
  // --- balance (prepaid balance, offers, cashback) ---
  Balance: Symbol.for('loyalty.Balance'),
  Offers: Symbol.for('loyalty.offer'),
  // --- end balance ---
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
