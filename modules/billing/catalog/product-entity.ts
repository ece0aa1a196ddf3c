import { defineEntity, field, type EntityRow } from 'tessera/core';
import { BILLING_PERMISSIONS } from '../api';

/** The company's catalogue: other modules name a product by its code when they add a line (`PTS`). */
export const productEntity = defineEntity({
  name: 'product',
  table: 'billing_products',
  label: { one: 'Product', many: 'Products' },
  description: 'Products and services sold; their code is how documents and other modules name them.',
  permissions: { read: BILLING_PERMISSIONS.documentRead, write: BILLING_PERMISSIONS.productManage, openReads: true },
  paths: { api: '/products', pages: '/billing/products' },
  title: 'name',
  search: ['code', 'name'],
  sorts: ['code', 'name', 'created_at'],
  fields: {
    code: field.code({ label: 'Code', required: true, maxLength: 32, upper: true, unique: true, placeholder: 'PTS' }),
    name: field.text({ label: 'Name', required: true, maxLength: 191 }),
    unit_price: field.money({ label: 'Unit price', required: true, filter: 'range' }),
    tax_id: field.ref('billing.tax', { label: 'Tax', filter: true }),
    is_active: field.boolean({ label: 'Active', default: true, words: ['active', 'inactive'], filter: { param: 'active' } }),
  },
});

export type ProductRow = EntityRow<typeof productEntity>;
