import { defineModule } from 'tessera/core';
import { LOYALTY, type CouponRedemptionService, type LoyaltyPointsService, type LoyaltyService, type PrepaidBalanceService } from './api';
import { registerBalance } from './balance/register-balance';
import { registerCards } from './cards/register-cards';
import { registerCoupons } from './coupons/register-coupons';
import { registerPoints } from './points/register-points';
import { seedLoyaltyDemo } from './demo-data';

/**
 * loyalty: points, prepaid balance with offers and cashback, coupons. Each part registers its own
 * entities, routes, pages and event handlers; money moves through billing's services and events only.
 */
export default defineModule({
  register(m) {
    registerPoints(m);
    registerBalance(m);
    registerCoupons(m);
    registerCards(m);
    const service: LoyaltyService = {
      get points() {
        return m.container.get<LoyaltyPointsService>(LOYALTY.Points);
      },
      get balance() {
        return m.container.get<PrepaidBalanceService>(LOYALTY.Balance);
      },
      get coupons() {
        return m.container.get<CouponRedemptionService>(LOYALTY.CouponRedemptions);
      },
    };
    m.services.bind(LOYALTY.Service, service);
    m.demo(seedLoyaltyDemo);
  },
});
