import { defineEntity, field, type EntityRow } from 'tessera/core';
import { MESSAGING_PERMISSIONS as P } from '../api';

export const CHANNEL_LABELS = { email: 'E-mail', sms: 'SMS', whatsapp: 'WhatsApp' } as const;

/**
 * A company's template for one notification (a catalogue key) and channel. Variables are handlebars
 * (`{{customer.first_name}}`, `{{payment.amount}}`), escaped; e-mail bodies are HTML and may hold images.
 */
export const templateEntity = defineEntity({
  name: 'template',
  table: 'messaging_templates',
  label: { one: 'Template', many: 'Templates' },
  description: 'What each notification says, per channel; previewed on the sample record its module declares.',
  permissions: { read: P.templateManage, write: P.templateManage, delete: P.templateManage },
  paths: { api: '/templates', pages: '/messaging/templates' },
  title: 'event',
  search: ['event'],
  sorts: ['event', 'channel'],
  fields: {
    event: field.text({ label: 'Notification', required: true, maxLength: 100, hint: 'A key of the notification catalogue, e.g. billing.payment.posted.' }),
    channel: field.enum({ label: 'Channel', values: CHANNEL_LABELS, required: true, filter: true }),
    subject: field.text({ label: 'Subject (e-mail)', maxLength: 191 }),
    body: field.text({ label: 'Body', required: true, maxLength: 50_000, multiline: true, hint: 'Handlebars: {{customer.first_name}}, {{company.name}} and the notification\'s own variables. HTML for e-mail.' }),
    is_active: field.boolean({ label: 'Active', default: true, words: ['active', 'inactive'], filter: { param: 'active' } }),
  },
});

export type TemplateRow = EntityRow<typeof templateEntity>;
