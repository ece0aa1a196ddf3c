import { defineEntity, field, type EntityRow } from 'tessera/core';
import { LOYALTY_PERMISSIONS } from '../api';

function idList(value: unknown): string | null {
  return Array.isArray(value) && value.length <= 200 && value.every((v) => Number.isSafeInteger(v) && (v as number) > 0) ? null : 'must be a list of customer group ids';
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A coupon of a company: what it gives (a fixed amount, or a percent of the document in basis points,
 * rounded half-up once), when and to whom (dates on the company's calendar, minimum order, crm's
 * customer groups: none means every customer), how often (overall and per customer), and how it is
 * typed (one shared code, or single-use codes generated in batches). Uses are counted by the
 * redemptions only.
 */
export const couponEntity = defineEntity({
  name: 'coupon',
  table: 'loyalty_coupons',
  label: { one: 'Coupon', many: 'Coupons' },
  description: 'Discount codes: a fixed amount or a percent off a draft order or invoice, limited by dates, minimum order, uses and customer groups.',
  permissions: { read: LOYALTY_PERMISSIONS.couponApply, write: LOYALTY_PERMISSIONS.couponManage, export: LOYALTY_PERMISSIONS.couponManage },
  paths: { api: '/coupons', pages: '/loyalty/coupons' },
  title: 'name',
  search: ['name', 'code'],
  sorts: ['-created_at', 'name', 'valid_to', 'uses'],
  fields: {
    name: field.text({ label: 'Name', required: true, maxLength: 120, hint: 'For people: "Summer 10 % for members".' }),
    mode: field.enum({ label: 'Codes', values: { shared: 'One shared code', single: 'Single-use codes (batches)' }, default: 'shared', fixed: true, filter: true }),
    code: field.code({ label: 'Shared code', maxLength: 40, upper: true, hint: 'The code customers type (shared mode only); unique in the company.' }),
    kind: field.enum({ label: 'Discount', values: { fixed: 'Fixed amount', percent: 'Percent' }, default: 'fixed', filter: true }),
    amount: field.money({ label: 'Amount off', min: 1, hint: 'Fixed amount: capped by the document total.' }),
    percent: field.rate({ label: 'Percent off', min: 1, max: 10000, hint: 'Basis points (1000 = 10 %), of the document total, rounded half-up once.' }),
    min_order: field.money({ label: 'Minimum order', default: 0, min: 0, hint: 'The document total (taxes included) must reach it.' }),
    valid_from: field.date({ label: 'Valid from', hint: 'First day, on the company calendar.', validate: (v) => (v && !DAY.test(v) ? 'must be a day YYYY-MM-DD' : null) }),
    valid_to: field.date({ label: 'Valid to', filter: 'range', hint: 'Last day it can be used (inclusive).', validate: (to, values) => (values.valid_from && to && to < String(values.valid_from) ? 'must not be before valid from' : null) }),
    usage_limit: field.integer({ label: 'Uses overall', min: 1, hint: 'Empty: no limit.' }),
    per_customer_limit: field.integer({ label: 'Uses per customer', min: 1, hint: 'Empty: no limit.' }),
    group_ids: field.json<number[]>({ label: 'Customer groups', default: [], validate: idList, list: false, hint: "crm's group ids; empty: every customer." }),
    discount_product_code: field.code({ label: 'Discount product', required: true, maxLength: 32, upper: true, hint: 'A billing product code; the discount line uses it.' }),
    active: field.boolean({ label: 'Active', default: true, words: ['active', 'inactive'], filter: true }),
    uses: field.integer({ label: 'Uses', readOnly: true }),
    discount_given: field.money({ label: 'Discount given', readOnly: true }),
    codes_count: field.integer({ label: 'Codes generated', readOnly: true, list: false }),
  },
});

export type Coupon = EntityRow<typeof couponEntity>;
