import { AUTHENTICATED, type ModuleContext, CORE, CORE_PERMISSIONS, type JobQueue } from 'tessera/core';
import { BASE_PERMISSIONS } from '../permissions';
import type { ShopService } from '../shops/shop-service';
import { jobCountsChart, totals } from '../jobs/job-chart';
import { jobScopeOf } from '../jobs/job-pages';

/** The home page, whose `home.widgets` slot every module fills, and the Settings landing page. */
export function registerHomePages(m: ModuleContext, shops: ShopService): void {
  m.routes.page({
    method: 'GET',
    path: '/',
    permission: AUTHENTICATED,
    async handler(ctx) {
      return { view: 'base/dashboard', title: 'Dashboard', data: { greeting: greeting(new Date()), firstName: ctx.user.name.split(' ')[0] } };
    },
  });

  m.routes.page({
    method: 'GET',
    path: '/admin',
    permission: AUTHENTICATED,
    async handler() {
      return { view: 'base/settings', title: 'Settings' };
    },
  });

  // Everyone signed in: the page is never blank, whatever one may do.
  m.views.slot({ slot: 'home.widgets', template: 'base/widget-account', order: 1000 });

  m.views.slot({
    slot: 'home.widgets',
    template: 'base/panel-shops',
    order: 100,
    permission: BASE_PERMISSIONS.shopRead,
    async data(ctx) {
      const all = await shops.list(ctx);
      const here = all.filter((s) => s.company_id === ctx.companyId);
      return { shopCount: here.length, activeShopCount: here.filter((s) => s.is_active).length, shops: here.slice(0, 6) };
    },
  });

  m.views.slot({
    slot: 'home.widgets',
    template: 'base/panel-jobs',
    order: 900,
    permission: CORE_PERMISSIONS.jobsManage,
    async data(ctx) {
      // The ledger is in the database: the dashboard renders whether or not Redis answers, and says so.
      const queue = ctx.container.get<JobQueue>(CORE.JobQueue);
      const counts = await queue.counts(jobScopeOf(ctx));
      return { jobTotals: totals(counts), jobChart: counts.length ? jobCountsChart(counts) : null, queueState: queue.state() };
    },
  });
}

/** Server time of day is good enough for a greeting; nothing depends on it. */
function greeting(now: Date): string {
  const hour = now.getHours();
  if (hour < 5) return 'Hello';
  if (hour < 12) return 'Good morning';
  if (hour < 18) return 'Good afternoon';
  return 'Good evening';
}
