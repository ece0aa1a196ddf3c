/**
 * loyalty's public face: service identifiers, interfaces, events and permissions other modules import.
 */
export const LOYALTY = {} as const;

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
