import { defineEntity, field, type EntityInput, type EntityPageOptions, type EntityPatch, type EntityRow } from 'tessera/core';
import { BASE_PERMISSIONS } from '../permissions';

/** Shops (points of sale) of a company; other modules refer to them by id through base's ShopService. */
export const shopEntity = defineEntity({
  name: 'shop',
  table: 'base_shops',
  label: { one: 'Shop', many: 'Shops' },
  description: 'Points of sale of your companies.',
  // Reading through the service needs no permission: every module lets people pick a shop.
  permissions: { read: BASE_PERMISSIONS.shopRead, write: BASE_PERMISSIONS.shopManage, openReads: true },
  paths: { api: '/shops', pages: '/admin/shops' },
  title: 'name',
  search: ['code', 'name'],
  sorts: ['name', 'code', 'created_at'],
  fields: {
    // Codes are how people and CSV imports name a shop: unique in the company, whatever the case typed.
    code: field.code({ label: 'Code', required: true, maxLength: 32, upper: true, unique: true, hint: 'Letters, digits, - or _; unique in the company.', placeholder: 'MAIN' }),
    name: field.text({ label: 'Name', required: true, maxLength: 191 }),
    phone: field.phone({ label: 'Phone' }),
    address: field.text({ label: 'Address', maxLength: 500, multiline: true, list: true }),
    is_active: field.boolean({
      label: 'Active',
      default: true,
      words: ['active', 'inactive'],
      filter: { param: 'active' },
      hint: 'Inactive shops stay on existing records but are not offered for new ones.',
    }),
  },
});

export type Shop = EntityRow<typeof shopEntity>;
export type ShopInput = EntityInput<typeof shopEntity>;
export type ShopPatch = EntityPatch<typeof shopEntity>;
export type ShopPageOptions = EntityPageOptions;
