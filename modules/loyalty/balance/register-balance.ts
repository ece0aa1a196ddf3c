import type { ModuleContext } from 'tessera/core';
import { LOYALTY } from '../api';
import { balanceApiRoutes } from './balance-api';
import { subscribeBalance } from './balance-events';
import { registerBalancePages } from './balance-pages';
import { balancePortsOf } from './balance-ports';
import { BalanceService } from './balance-service';
import { offerEntity } from './offer-entity';

/** loyalty's prepaid balance: offers (entity layer), the balance service, its API, pages and billing's events. */
export function registerBalance(m: ModuleContext): void {
  const ports = balancePortsOf(m.container);
  const service = new BalanceService(ports);
  m.services.bind(LOYALTY.Balance, service);
  m.entities.register(offerEntity, { serviceId: LOYALTY.Offers });
  for (const route of balanceApiRoutes(service)) m.routes.api(route);
  subscribeBalance(m.events, ports);
  registerBalancePages(m, service);
}
