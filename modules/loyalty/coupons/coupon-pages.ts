import type { ModuleContext } from "tessera/core";
import type { CouponRedemptions } from "./coupon-redemptions";
export function registerCouponPages(m: ModuleContext, redemptions: CouponRedemptions): void { void m; void redemptions; }
