import { defineEntity, field, type EntityRow } from 'tessera/core';
import { LOYALTY_PERMISSIONS as P } from '../../api';
import { webhookUrlProblem } from './webhook-url';

/** The card events an integrator may hear of. */
export const WEBHOOK_EVENTS = ['loyalty.card.issued', 'loyalty.card.transaction', 'loyalty.card.reward'] as const;

/** An integrator's endpoint: card events of the company are posted to it, signed with its secret. */
export const webhookEntity = defineEntity({
  name: 'card_webhook',
  table: 'loyalty_card_webhooks',
  label: { one: 'Card webhook', many: 'Card webhooks' },
  description: "Integrators' endpoints told of card events (issued, transaction, reward), signed with HMAC-SHA256.",
  permissions: { read: P.webhookManage, write: P.webhookManage },
  paths: { api: '/card-webhooks', pages: '/loyalty/card-webhooks' },
  title: 'url',
  search: ['url'],
  sorts: ['-created_at', 'url'],
  fields: {
    url: field.text({
      label: 'URL', required: true, maxLength: 500,
      hint: 'https, on a public address, without a user or password in it (plain http and internal addresses only for allow-listed hosts).',
      validate: (value) => (/^\S+$/.test(String(value)) ? webhookUrlProblem(String(value)) : 'is an https address without spaces'),
    }),
    secret: field.secret({ label: 'Signing secret', required: true, minLength: 16, maxLength: 200, hint: 'Signs every delivery (HMAC-SHA256); never shown back.' }),
    events: field.list({
      label: 'Events', maxItems: 3, maxLength: 64, hint: WEBHOOK_EVENTS.join(', '),
      validate: (value) => {
        const list = (value ?? []) as string[];
        if (!list.length) return 'names at least one event';
        const unknown = list.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
        return unknown.length ? `has unknown events: ${unknown.join(', ')} (known: ${WEBHOOK_EVENTS.join(', ')})` : null;
      },
    }),
    active: field.boolean({ label: 'Active', default: true, filter: true }),
  },
});

export type CardWebhook = EntityRow<typeof webhookEntity>;
