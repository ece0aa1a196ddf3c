import { defineEntity, field, type EntityRow } from 'tessera/core';
import { MESSAGING_PERMISSIONS as P } from '../api';

/** A customer's call or note taken for a representative; numbered from the company's counter. */
export const messageEntity = defineEntity({
  name: 'message',
  table: 'messaging_messages',
  label: { one: 'Message', many: 'Messages' },
  description: 'Customer calls and notes for representatives, with a follow-up date.',
  permissions: { read: P.messageRead, write: P.messageWrite, export: P.messageRead },
  paths: { api: '/messages', pages: '/messaging/messages' },
  title: 'subject',
  search: ['subject'],
  sorts: ['-created_at', 'number', 'follow_up_on', 'subject'],
  fields: {
    number: field.integer({ label: 'No.', readOnly: true, filter: 'range' }),
    customer_id: field.integer({ label: 'Customer id', required: true, min: 1, filter: { param: 'customer_id' } }),
    representative_id: field.ref('messaging.representative', { label: 'Representative', required: true, filter: true }),
    subject: field.text({ label: 'Subject', required: true, maxLength: 191 }),
    body: field.text({ label: 'Message', maxLength: 10_000, multiline: true }),
    follow_up_on: field.date({ label: 'Follow up on', filter: 'range' }),
    status: field.enum({ label: 'Status', values: { open: 'Open', done: 'Done' }, default: 'open', filter: true }),
  },
});

export type MessageRow = EntityRow<typeof messageEntity>;
