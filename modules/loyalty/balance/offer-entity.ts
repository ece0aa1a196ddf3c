import { defineEntity, field, type EntityRow } from 'tessera/core';
import { LOYALTY_PERMISSIONS } from '../api';

export const PAYMENT_METHODS = ['cash', 'card', 'bank', 'mobile_money', 'online'] as const;

function methods(value: unknown): string | null {
  if (!Array.isArray(value)) return 'must be a list of payment methods';
  const bad = value.find((v) => !(PAYMENT_METHODS as readonly string[]).includes(String(v)));
  return bad === undefined ? null : `${bad} is not one of ${PAYMENT_METHODS.join(', ')}`;
}

/**
 * Prepaid-balance offers of a company: a recharge offer adds a bonus percent of a recharge that reaches
 * its threshold (optionally only for some payment methods); a cashback offer credits a percent of an
 * order, reaching its threshold, when the order is completed. Only `loyalty.offer.manage` writes them.
 */
export const offerEntity = defineEntity({
  name: 'offer',
  table: 'loyalty_offers',
  label: { one: 'Balance offer', many: 'Balance offers' },
  description: 'Recharge bonuses and cashback on completed orders, credited to the prepaid balance.',
  permissions: { read: LOYALTY_PERMISSIONS.balanceRead, write: LOYALTY_PERMISSIONS.offerManage },
  paths: { api: '/offers', pages: '/loyalty/offers' },
  title: 'name',
  search: ['name'],
  sorts: ['name', 'threshold', 'rate_bps', 'created_at'],
  fields: {
    name: field.text({ label: 'Offer name', required: true, maxLength: 120, unique: true, hint: 'As customers see it: "Recharge 50, get 10 % more".' }),
    kind: field.enum({ label: 'Kind', required: true, values: { recharge: 'Recharge bonus', cashback: 'Cashback on completed orders' }, filter: true }),
    rate_bps: field.rate({ label: 'Percent', required: true, min: 1, max: 10000, hint: 'Of the recharge (bonus) or of the order total (cashback); rounded half-up once.' }),
    threshold: field.money({ label: 'Threshold', required: true, min: 0, hint: 'The recharge or the order must reach this amount.' }),
    payment_methods: field.list({ label: 'Payment methods', default: [], maxItems: 5, validate: methods, hint: 'Recharge offers only; none: every method.', list: false }),
    active: field.boolean({ label: 'Active', default: true, words: ['active', 'inactive'], filter: true }),
    valid_from: field.date({ label: 'Valid from' }),
    valid_to: field.date({ label: 'Valid to', validate: (to, values) => (values.valid_from && to && to < String(values.valid_from) ? 'must not be before valid from' : null) }),
  },
});

export type Offer = EntityRow<typeof offerEntity>;
