import type { ApiRoute } from "tessera/core";
import type { BillingServices } from "./index";
export function billingApiRoutes(_s: BillingServices): ApiRoute[] { return []; }
