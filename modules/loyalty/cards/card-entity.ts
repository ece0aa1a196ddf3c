import { addCalendarDays, defineEntity, field, type EntityRow } from 'tessera/core';
import { LOYALTY_PERMISSIONS as P } from '../api';
import { CARD_TYPES } from './template-rules';

/** A card issued to a customer from a template. Its state (stamps, uses, balance, points) moves only by transactions. */
export const cardEntity = defineEntity({
  name: 'card',
  table: 'loyalty_cards',
  label: { one: 'Card', many: 'Cards' },
  description: "Loyalty cards issued to customers; each moves only through the scanner's transactions.",
  permissions: { read: P.cardRead, write: P.cardIssue, export: P.cardRead },
  paths: { api: '/cards', pages: '/loyalty/cards' },
  title: 'number',
  search: ['number'],
  sorts: ['-created_at', 'number'],
  fields: {
    template_id: field.integer({ label: 'Template', required: true, min: 1, filter: { param: 'template_id' } }),
    customer_id: field.integer({ label: 'Customer', required: true, min: 1, filter: { param: 'customer_id' } }),
    number: field.text({ label: 'Number', readOnly: true, maxLength: 16 }),
    type: field.enum({ label: 'Type', values: CARD_TYPES, readOnly: true, filter: true }),
    status: field.enum({ label: 'Status', values: { active: 'Active', used: 'Used', blocked: 'Blocked', expired: 'Expired' }, default: 'active', filter: true }),
    valid_until: field.date({ label: 'Valid until', filter: 'range' }),
    membership_ends: field.date({ label: 'Membership ends', list: false, hint: 'Staff may extend or shorten a membership.' }),
    shop_id: field.integer({ label: 'Shop', min: 1, list: false, filter: { param: 'shop_id' }, hint: 'The shop the card belongs to: its customer\'s shop unless another is named. A manager limited to shops reaches only their cards.' }),
    stamps: field.integer({ label: 'Stamps', readOnly: true }),
    uses_left: field.integer({ label: 'Uses left', readOnly: true, list: false }),
    balance: field.money({ label: 'Balance', readOnly: true }),
    points: field.integer({ label: 'Points', readOnly: true, list: false }),
    spend_total: field.money({ label: 'Spent', readOnly: true, list: false, filter: 'range' }),
    visits: field.integer({ label: 'Visits', readOnly: true, filter: 'range' }),
    last_visit_day: field.date({ label: 'Last visit', readOnly: true, filter: 'range' }),
    last_stamp_day: field.date({ label: 'Last stamp', readOnly: true, list: false }),
    installed_at: field.datetime({ label: 'Installed', readOnly: true, list: false }),
  },
});

export type Card = EntityRow<typeof cardEntity>;

/** The last valid day of a card issued on `today` from a template's validity. */
export function validUntil(template: { validity_kind?: string | null; validity_date?: string | null; validity_days?: number | null }, today: string): string | null {
  if (template.validity_kind === 'date') return template.validity_date ?? null;
  if (template.validity_kind === 'days' && template.validity_days) return addCalendarDays(today, template.validity_days - 1);
  return null;
}
