/**
 * What the base module offers other modules through the container. A dependant injects by these
 * symbols (`ctx.container.get<ShopService>(BASE.ShopService)`) and never reads base's tables.
 */
export const BASE = {
  ShopService: Symbol.for('base.ShopService'),
  AuditTrail: Symbol.for('base.AuditTrail'),
  /** The shops a user works at, per company (`UserShopService`). */
  UserShops: Symbol.for('base.UserShops'),
} as const;

export { BASE_PERMISSIONS } from './permissions';

export type { Shop, ShopInput, ShopPatch, ShopPageOptions } from './shops/shop-entity';
export type { ShopService } from './shops/shop-service';
export type { UserShopService } from './shops/user-shops';
export type { AuditTrail, AuditTrailEntry, AuditChange } from './audit/audit-trail';
