import type { ModuleContext } from 'tessera/core';
import { mountCardImport } from './card-import';
import { holderFilterApi } from './holder-filters';
import { managerStatsApi, managerStatsPages } from './manager-stats';
import { rfmApiRoutes, rfmPages } from './rfm-routes';
import { RfmAnalysis } from './rfm-service';

/** loyalty's card insight: RFM analysis runs and their segments, managers' statistics. */
export function registerInsight(m: ModuleContext): void {
  const rfm = new RfmAnalysis();
  m.jobs.define('rfm', RfmAnalysis.jobHandler(m.container, rfm), { attempts: 3 });
  for (const route of rfmApiRoutes(rfm)) m.routes.api(route);
  for (const route of rfmPages(rfm)) m.routes.page(route);
  for (const route of managerStatsApi()) m.routes.api(route);
  for (const route of holderFilterApi()) m.routes.api(route);
  mountCardImport(m);
  for (const route of managerStatsPages()) m.routes.page(route);
}
