import { defineEntity, field, type EntityRow } from 'tessera/core';
import { BILLING_PERMISSIONS } from '../api';

/** Tax rates in basis points; a product names one, and each line copies the rate when it is made. */
export const taxEntity = defineEntity({
  name: 'tax',
  table: 'billing_taxes',
  label: { one: 'Tax', many: 'Taxes' },
  description: 'Tax rates; a line keeps the rate it was made with.',
  permissions: { read: BILLING_PERMISSIONS.documentRead, write: BILLING_PERMISSIONS.productManage, openReads: true },
  paths: { api: '/taxes', pages: '/billing/taxes' },
  title: 'name',
  search: ['name'],
  sorts: ['name', 'created_at'],
  fields: {
    name: field.text({ label: 'Name', required: true, maxLength: 100, placeholder: 'VAT 18%' }),
    rate: field.rate({ label: 'Rate (%)', required: true, min: 0, max: 10000 }),
  },
});

export type TaxRow = EntityRow<typeof taxEntity>;
