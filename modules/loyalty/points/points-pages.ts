import type { ModuleContext } from 'tessera/core';
import type { PointsService } from './points-service';

export function registerPointsPages(m: ModuleContext, points: PointsService): void {
  void m;
  void points;
}
