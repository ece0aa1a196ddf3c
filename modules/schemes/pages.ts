import type { EntityService, ModuleContext } from 'tessera/core';
import type { Ports } from './billing/billing-ports';
import type { bundleEntity } from './bundles/bundle-entity';
import type { PlanService } from './plans/plan-service';

export interface PageDeps {
  plans: PlanService;
  bundles: EntityService<typeof bundleEntity>;
  ports: Ports;
}

/** schemes' hand-written pages and panels (the entities' lists, forms and records are derived). */
export function registerPages(_m: ModuleContext, _deps: PageDeps): void {}
