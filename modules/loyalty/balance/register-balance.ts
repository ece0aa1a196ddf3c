import type { ModuleContext } from 'tessera/core';

/** loyalty's balance: entities, routes, pages and event handlers of this part. */
export function registerBalance(m: ModuleContext): void {
  void m;
}
