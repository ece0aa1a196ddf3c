import type { ModuleContext } from 'tessera/core';
import { BILLING_EVENTS } from '../../billing/api';
import { LOYALTY } from '../api';
import { couponApiRoutes } from './coupon-api';
import { registerBatchJob } from './coupon-batches';
import { couponEntity } from './coupon-entity';
import { couponHooks } from './coupon-hooks';
import { registerCouponPages } from './coupon-pages';
import { CouponRedemptions } from './coupon-redemptions';
import { releaseRemovedCoupons } from './coupon-release';

/** loyalty's coupons: entities, routes, pages and event handlers of this part. */
export function registerCoupons(m: ModuleContext): void {
  const redemptions = new CouponRedemptions(m.container);
  m.services.bind(LOYALTY.CouponRedemptions, redemptions);
  // Before the entity's derived `/coupons/{id}` routes, so `/coupons/report` and friends match first.
  for (const route of couponApiRoutes(redemptions)) m.routes.api(route);
  registerCouponPages(m, redemptions);
  m.entities.register(couponEntity, { serviceId: LOYALTY.Coupons, hooks: couponHooks(m.container) });
  m.events.on(BILLING_EVENTS.documentLinesRemoved, async ({ db, event }) => void (await releaseRemovedCoupons(db, event.payload)), { name: 'coupon-release-removed-line' });
  registerBatchJob(m);
}
