import { defineEntity, field, type EntityRow } from 'tessera/core';
import { SCHEMES_PERMISSIONS } from '../api';

function idList(label: string) {
  return (value: unknown): string | null =>
    Array.isArray(value) && value.length <= 200 && value.every((v) => Number.isSafeInteger(v) && (v as number) > 0) ? null : `must be a list of ${label} ids`;
}

/**
 * Bonus bundles ("buy 28 days, get 3 days free") of a company: the discount journal where cash-discount
 * credit notes go, the trigger and reward in days, the payment journals it applies to (none: all) and
 * crm's customer groups it is for (none: nobody). Only `schemes.bundle.manage` writes them.
 */
export const bundleEntity = defineEntity({
  name: 'bundle',
  table: 'schemes_bundles',
  label: { one: 'Bonus bundle', many: 'Bonus bundles' },
  description: 'Free days for customers whose one payment buys at least the trigger, per company and journal.',
  permissions: { read: SCHEMES_PERMISSIONS.bundleRead, write: SCHEMES_PERMISSIONS.bundleManage },
  paths: { api: '/bundles', pages: '/crm/bundles' },
  title: 'name',
  search: ['name'],
  sorts: ['name', 'trigger_days', 'created_at'],
  fields: {
    name: field.text({ label: 'Bundle name', required: true, maxLength: 120, unique: true, hint: 'In marketing language: "Buy 4 weeks, get 3 days free".' }),
    journal_id: field.integer({ label: 'Discount journal', required: true, min: 1, hint: "The company's discount journal: cash-discount credit notes are posted there." }),
    trigger_days: field.integer({ label: 'Trigger (days)', required: true, min: 1, max: 366, filter: 'range', hint: 'One payment must buy at least this many days.' }),
    reward_days: field.integer({ label: 'Reward (days)', required: true, min: 1, max: 366 }),
    type: field.enum({
      label: 'Type of bonus',
      required: true,
      values: { ontime_only: 'Ontime only bonus', cash_discount: 'Bundle (cash discount)' },
      filter: true,
    }),
    payment_journal_ids: field.json<number[]>({ label: 'Payment journals', default: [], hint: "None: every payment journal of the company.", validate: idList('journal'), list: false }),
    group_ids: field.json<number[]>({ label: 'Customer groups', default: [], hint: 'None: nobody.', validate: idList('group'), list: false }),
    active: field.boolean({ label: 'Active', default: true, words: ['active', 'inactive'], filter: true }),
    valid_from: field.date({ label: 'Valid from' }),
    valid_to: field.date({ label: 'Valid to', validate: (to, values) => (values.valid_from && to && to < String(values.valid_from) ? 'must not be before valid from' : null) }),
  },
});

export type Bundle = EntityRow<typeof bundleEntity>;
