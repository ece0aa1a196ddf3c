import type { ModuleContext } from 'tessera/core';
import { registerWebhookDelivery } from './webhook-delivery';
import { webhookEntity } from './webhook-entity';
import { webhookLogApi, webhookLogPage } from './webhook-log';

/** Cards reaching out: webhooks for integrators on card events, with their delivery log. */
export function registerReach(m: ModuleContext): void {
  m.entities.register(webhookEntity);
  registerWebhookDelivery(m);
  for (const route of webhookLogApi()) m.routes.api(route);
  m.routes.page(webhookLogPage());
}
