import type { ModuleContext } from 'tessera/core';

/** loyalty's points: entities, routes, pages and event handlers of this part. */
export function registerPoints(m: ModuleContext): void {
  void m;
}
