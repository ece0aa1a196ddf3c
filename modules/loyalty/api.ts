/**
 * loyalty's public face: service identifiers, interfaces, events and permissions other modules import.
 */
export const LOYALTY = {
  /** `CardTransactions`: the scanner's idempotent transactions on a card. */
  CardTransactions: Symbol.for('loyalty.CardTransactions'),
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
