import { defineEntity, field, type EntityRow } from 'tessera/core';
import { MESSAGING_PERMISSIONS as P } from '../api';
import { CHANNEL_LABELS } from '../templates/template-entity';

/**
 * How a company reaches its customers on a channel: e-mail over SMTP (host, port, login), SMS and
 * WhatsApp through an HTTP gateway (URL, token, sender). The secret is written, never shown back.
 */
export const channelEntity = defineEntity({
  name: 'channel',
  table: 'messaging_channels',
  label: { one: 'Channel', many: 'Channels' },
  description: 'E-mail (SMTP) and SMS / WhatsApp gateways of your companies. Passwords and tokens are never shown back.',
  permissions: { read: P.channelManage, write: P.channelManage, delete: P.channelManage },
  paths: { api: '/channels', pages: '/messaging/channels' },
  title: 'endpoint',
  sorts: ['channel'],
  fields: {
    channel: field.enum({ label: 'Channel', values: CHANNEL_LABELS, required: true, unique: true }),
    enabled: field.boolean({ label: 'Enabled', default: true, words: ['enabled', 'disabled'] }),
    endpoint: field.text({ label: 'SMTP host or gateway URL', required: true, maxLength: 500, placeholder: 'smtp.example.com or https://gateway.example.com/send' }),
    port: field.integer({ label: 'Port (SMTP)', min: 1, max: 65535 }),
    username: field.text({ label: 'User name (SMTP)', maxLength: 191 }),
    sender: field.text({ label: 'Sender', maxLength: 191, hint: 'From address for e-mail, sender id or number for SMS and WhatsApp.' }),
    secret: field.secret({ label: 'Password or token', maxLength: 500 }),
  },
});

export type ChannelRow = EntityRow<typeof channelEntity>;
