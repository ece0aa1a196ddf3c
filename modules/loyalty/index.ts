import { defineModule } from 'tessera/core';
import { registerBalance } from './balance/register-balance';
import { registerCards } from './cards/register-cards';
import { registerCoupons } from './coupons/register-coupons';
import { registerPoints } from './points/register-points';

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
  },
});
