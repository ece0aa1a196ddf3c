import type { EntityService, ModuleContext } from 'tessera/core';
import type { CardTransactions } from '../card-transactions';
import { automationEntity } from './automation-entity';
import { registerAutomations } from './automations';
import { registerCampaigns } from './campaigns';
import { campaignPages } from './campaign-pages';
import { restorePages } from './card-restore';
import { registerDashboard } from './dashboard';
import { feedbackApi, feedbackPages } from './feedback';
import { referralProgramEntity } from './referral-program-entity';
import { referralApi, referralPages, registerReferralRewards } from './referral-routes';
import { registerWebhookDelivery } from './webhook-delivery';
import { webhookEntity } from './webhook-entity';
import { webhookLogApi, webhookLogPage } from './webhook-log';

/** Cards reaching out: webhooks for integrators on card events, with their delivery log, and referrals. */
export function registerReach(m: ModuleContext, cards: () => EntityService<any>, moves: CardTransactions): void {
  m.entities.register(webhookEntity);
  registerWebhookDelivery(m);
  for (const route of webhookLogApi()) m.routes.api(route);
  m.routes.page(webhookLogPage());
  m.entities.register(referralProgramEntity);
  for (const route of referralApi()) m.routes.api(route);
  for (const route of referralPages(m.container, cards)) m.routes.publicPage(route);
  registerReferralRewards(m, moves);
  m.entities.register(automationEntity);
  registerAutomations(m);
  registerCampaigns(m);
  for (const route of campaignPages()) m.routes.page(route);
  for (const route of restorePages(m.container)) m.routes.publicPage(route);
  for (const route of feedbackPages()) m.routes.publicPage(route);
  for (const route of feedbackApi()) m.routes.api(route);
  registerDashboard(m);
}
