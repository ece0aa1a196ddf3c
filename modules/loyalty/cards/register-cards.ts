import type { ModuleContext } from 'tessera/core';
import { LOYALTY } from '../api';
import { cardApiRoutes } from './card-api';
import { cardEntity } from './card-entity';
import { CardService } from './card-service';
import { cardHooks } from './card-issue';
import { CardTransactions } from './card-transactions';
import { registerReach } from './reach/register-reach';
import { cardTemplateEntity, templateHooks } from './template-entity';
import { scannerPages } from './scanner-pages';
import { webCardRoutes } from './web-card';
import { registerInsight } from './insight/register-insight';

/** loyalty's cards: templates, issued cards and the scanner's transactions. */
export function registerCards(m: ModuleContext): void {
  const templates = m.entities.register(cardTemplateEntity, { hooks: templateHooks() });
  const cards = m.entities.register(cardEntity, { hooks: cardHooks(m.container, () => templates), service: (options) => new CardService(cardEntity, options) });
  const moves = new CardTransactions();
  m.services.bind(LOYALTY.CardTransactions, moves);
  for (const route of cardApiRoutes(moves)) m.routes.api(route);
  for (const route of webCardRoutes()) m.routes.publicPage(route);
  for (const route of scannerPages(m.container, moves)) m.routes.page(route);
  registerInsight(m);
  registerReach(m, () => cards, moves);
}
