import { CORE, defineEntity, entityHistory, field, placeOf, readableJson, type EntityRegistry, type HistoryEntry, type RequestContext, type RefTarget } from 'tessera/core';
import { PERM } from '../permissions';
import { crmSettings } from '../settings';
import type { Customer } from './customer-types';

/**
 * How a customer's audited columns read in its history and in the audit log: labels, the shop and
 * the main customer by name, tags as a list, custom fields by their labels. Customers are kept by hand
 * (not through the resource layer), so this declaration only names things; it derives no routes.
 */
const customerHistoryEntity = defineEntity({
  name: 'customer',
  table: 'crm_customers',
  label: { one: 'Customer', many: 'Customers' },
  permissions: { read: PERM.customerRead, write: PERM.customerWrite },
  paths: {},
  title: 'last_name',
  fields: {
    code: field.code({ label: 'Code' }),
    first_name: field.text({ label: 'First name' }),
    last_name: field.text({ label: 'Last name' }),
    phone: field.phone({ label: 'Phone' }),
    email: field.email({ label: 'E-mail' }),
    birthdate: field.date({ label: 'Birthdate' }),
    shop_id: field.ref('base.shop', { label: 'Shop' }),
    classification: field.text({ label: 'Classification' }),
    delivery_route: field.text({ label: 'Delivery route' }),
    parent_id: field.ref('crm.customer', { label: 'Main customer' }),
    tags: field.list({ label: 'Tags' }),
    custom_fields: field.json({ label: 'Custom fields' }),
    login: field.json({ label: 'Customer login' }),
  },
});

/** Customers as the audit log and refs name them: "Ann Martin", on their page. */
export function registerCustomerRecords(registry: EntityRegistry): void {
  registry.addRecordKind({
    fullName: 'crm.customer',
    module: 'crm',
    table: 'crm_customers',
    label: { one: 'Customer', many: 'Customers' },
    pagesPath: '/crm/customers',
    resolve: async (ctx, ids) => {
      const rows = (await ctx.db.query('crm_customers').whereIn('crm_customers.id', ids).select('id', 'company_id', 'first_name', 'last_name', 'code')) as Array<Record<string, unknown>>;
      return new Map<number, RefTarget>(rows.map((r) => [Number(r.id), { title: nameOf(r) || String(r.code), company_id: Number(r.company_id) }]));
    },
    titleOf: (values) => nameOf(values) || (typeof values.code === 'string' ? values.code : null),
    readPermission: PERM.customerRead,
    fieldLabel: (key) => customerHistoryEntity.field(key)?.label,
  });
}

/** A customer's history in the reader's words; custom fields by the labels of the customer's company. */
export async function customerHistory(ctx: RequestContext, customer: Customer): Promise<HistoryEntry[]> {
  const registry = ctx.container.get<EntityRegistry>(CORE.Entities);
  const settings = await crmSettings(ctx, customer.company_id);
  const labels = new Map(settings.custom_fields.map((def) => [def.key, def.label]));
  const custom = (value: unknown) => {
    const values = (typeof value === 'string' ? safeParse(value) : value) as Record<string, unknown> | null;
    if (!values || typeof values !== 'object') return readableJson(value);
    return Object.entries(values)
      .map(([key, v]) => `${labels.get(key) ?? key}: ${v === true ? 'yes' : v === false ? 'no' : String(v ?? '')}`)
      .join(', ');
  };
  return entityHistory(ctx, registry, customerHistoryEntity, { id: customer.id, company_id: customer.company_id }, placeOf(ctx), { text: { custom_fields: custom } });
}

function nameOf(values: Record<string, unknown>): string {
  const plain = (v: unknown) => (typeof v === 'string' ? v : '');
  return `${plain(values.first_name)} ${plain(values.last_name)}`.trim();
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
