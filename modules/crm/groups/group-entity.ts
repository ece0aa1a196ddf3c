import { defineEntity, field } from 'tessera/core';
import { PERM } from '../permissions';

/**
 * Customer groups, declared once: their plain fields, labels, permissions and paths. What is special
 * (the shops of a by-shop group, the members of a by-customer one) is the service's and the pages' own.
 */
export const groupEntity = defineEntity({
  name: 'group',
  table: 'crm_groups',
  label: { one: 'Customer group', many: 'Customer groups' },
  description: 'Customers chosen by shop or one by one, for offers, messages and exports.',
  // Other modules (bundles, coupons, messages) list and read groups without crm's group permission.
  permissions: { read: PERM.groupRead, write: PERM.groupManage, delete: PERM.groupManage, openReads: true },
  paths: { api: '/groups', pages: '/crm/groups' },
  title: 'name',
  search: ['name'],
  sorts: ['name', 'created_at'],
  fields: {
    name: field.text({ label: 'Name', required: true, maxLength: 100 }),
    type: field.enum({
      label: 'Type',
      required: true,
      values: { shop: 'By shop', customer: 'By customer' },
      filter: true,
      hint: 'By shop: every customer of its shops, now and later. By customer: an explicit list.',
    }),
    description: field.text({ label: 'Description', maxLength: 255, multiline: true }),
  },
});
