import { defineEntity, field, type EntityRow } from 'tessera/core';
import { MESSAGING_PERMISSIONS as P } from '../api';

/** A seller whom messages and appointments are for; linked to a user by the user's seller number. */
export const representativeEntity = defineEntity({
  name: 'representative',
  table: 'messaging_representatives',
  label: { one: 'Representative', many: 'Representatives' },
  description: 'Sellers who take appointments and receive messages; a linked user sees their reminders on the home page.',
  permissions: { read: P.appointmentRead, write: P.appointmentWrite, openReads: true },
  paths: { api: '/representatives', pages: '/messaging/representatives' },
  title: 'name',
  search: ['code', 'name'],
  sorts: ['name', 'code'],
  fields: {
    code: field.code({ label: 'Seller no.', required: true, maxLength: 32, upper: true, unique: true, placeholder: 'S01' }),
    name: field.text({ label: 'Name', required: true, maxLength: 191 }),
    user_id: field.integer({ label: 'User id', min: 1, hint: 'The user who works as this seller: they see its open messages and today\'s appointments.', filter: { param: 'user_id' } }),
    shop_id: field.ref('base.shop', { label: 'Shop', filter: true }),
    phone: field.phone({ label: 'Phone' }),
    email: field.email({ label: 'E-mail' }),
    is_active: field.boolean({ label: 'Active', default: true, words: ['active', 'inactive'], filter: { param: 'active' } }),
  },
});

export type Representative = EntityRow<typeof representativeEntity>;
