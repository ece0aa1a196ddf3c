import { defineEntity, field, type EntityRow, type ResolvedField } from 'tessera/core';
import { PERM } from '../permissions';

/**
 * The customer, declared once: every field with its label, type, length, list column, filter and CSV
 * column. Customers keep their own service, search, pages and import (codes, phones, families, tags and
 * custom fields have rules of their own), but those read the fields from here: a plain field (one the
 * code below does not name as special) is added by a migration and a line in `fields`, and the form,
 * the record page, the API's schemas, validation, the audit trail, the list's filter, a group's search
 * and the CSV export follow.
 */
export const customerEntity = defineEntity({
  name: 'customer',
  table: 'crm_customers',
  label: { one: 'Customer', many: 'Customers' },
  description: 'People who buy from your shops.',
  permissions: { read: PERM.customerRead, write: PERM.customerWrite, delete: PERM.customerDelete, export: PERM.customerExport },
  paths: { api: '/customers', pages: '/crm/customers' },
  title: 'last_name',
  search: ['last_name', 'first_name', 'code', 'phone', 'email'],
  sorts: ['last_name', 'code', 'created_at'],
  fields: {
    code: field.code({ label: 'Code', maxLength: 64, unique: true, hint: "Unique per company; generated from the company's code format when left out." }),
    first_name: field.text({ label: 'First name', maxLength: 100 }),
    last_name: field.text({ label: 'Last name', required: true, maxLength: 100 }),
    phone: field.phone({ label: 'Phone', placeholder: '+33 6 12 34 56 78' }),
    email: field.email({ label: 'E-mail' }),
    birthdate: field.date({ label: 'Birthdate' }),
    shop_id: field.ref('base.shop', { label: 'Shop', required: true, filter: { param: 'shop_id' }, csv: { header: 'shop' } }),
    tags: field.list({ label: 'Tags', maxItems: 20, maxLength: 40, hint: 'Separated by commas' }),
    classification: field.text({ label: 'Classification', maxLength: 64, filter: true, hint: 'Used by selective billing' }),
    delivery_route: field.text({ label: 'Delivery route', maxLength: 64, filter: true, hint: 'Used by selective billing' }),
    parent_id: field.ref('crm.customer', { label: 'Main customer', csv: { header: 'parent_code' } }),
    custom_fields: field.json({ label: 'Custom fields', list: false }),
  },
});

/** Fields whose rules are the customer's own (codes, phones, shops, families, tags, custom fields). */
const SPECIAL = ['code', 'first_name', 'last_name', 'phone', 'email', 'birthdate', 'shop_id', 'tags', 'parent_id', 'custom_fields'] as const;
type SpecialKey = (typeof SPECIAL)[number];

/** The keys of the plain fields: text with a length, a list column, a filter of the search. */
export type PlainKey = Exclude<keyof typeof customerEntity.fields, SpecialKey>;
/** Plain fields' values in a customer (a row, or what validation lets through). */
export type PlainValues = Pick<EntityRow<typeof customerEntity>, PlainKey>;
/** Plain fields as a caller may send them. */
export type PlainInput = { [K in PlainKey]?: string | null };
/** Plain filters' values in the list's criteria. */
export type PlainCriteria = { [K in PlainKey]?: string };

/** The plain fields, in declaration order. */
export const plainFields: readonly ResolvedField[] = customerEntity.fieldList.filter((f) => !(SPECIAL as readonly string[]).includes(f.key));
/** The plain fields the list, the export and a group's search filter on (equality). */
export const plainFilters: readonly ResolvedField[] = plainFields.filter((f) => f.filter);

/**
 * The index each plain filter walks in name order on MySQL (the migration's `(company_id, <field>,
 * name_norm)` index); a filter without one reads the name index.
 */
export const FILTER_INDEXES: { [K in PlainKey]?: string } = {
  classification: 'crm_customers_classification_idx',
  delivery_route: 'crm_customers_route_idx',
};

/** Each plain field's value in `source`, null when absent: rows, clean values and audit snapshots. */
export function plainValuesOf(source: object): PlainValues {
  const values = source as Record<string, unknown>;
  return Object.fromEntries(plainFields.map((f) => [f.key, values[f.key] ?? null])) as PlainValues;
}
