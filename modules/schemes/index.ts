import { defineModule } from 'tessera/core';
import { SCHEMES } from './api';
import { portsOf } from './billing/billing-ports';
import { bundleEntity } from './bundles/bundle-entity';
import { bundleHooks } from './bundles/bundle-hooks';
import { bundlePageOverrides } from './bundles/bundle-pages';
import { subscribe } from './evaluation/subscriptions';
import { planEntity } from './plans/plan-entity';
import { PlanService, planHooks } from './plans/plan-service';
import { planApiRoutes } from './plans/plan-api';
import { registerPlanJobs } from './plans/plan-jobs';
import { registerPages } from './pages';
import { registerNotifications } from './messaging/schemes-notifications';
import { registerGold } from './gold/gold-register';

/**
 * schemes: pay-as-you-go pay plans and bonus bundles (gold saving schemes come next, beside them).
 * It works through billing's, crm's and messaging's services and events only.
 */
export default defineModule({
  register(m) {
    const ports = portsOf(m.container);
    const plans = m.entities.register(planEntity, { serviceId: SCHEMES.PayPlans, hooks: planHooks(ports), service: (options) => new PlanService(planEntity, options) });
    const bundles = m.entities.register(bundleEntity, { serviceId: SCHEMES.Bundles, hooks: bundleHooks(ports), pages: bundlePageOverrides(m.container, ports) });
    for (const route of planApiRoutes(plans, ports)) m.routes.api(route);
    subscribe(m.events, ports);
    registerPlanJobs(m, ports);
    registerPages(m, { plans, bundles, ports });
    registerNotifications(m, ports);
    registerGold(m, ports);
  },
});
