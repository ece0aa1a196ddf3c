import type { ModuleContext } from 'tessera/core';

/** loyalty's coupons: entities, routes, pages and event handlers of this part. */
export function registerCoupons(m: ModuleContext): void {
  void m;
}
