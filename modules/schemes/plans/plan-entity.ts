import { defineEntity, field, type EntityRow } from 'tessera/core';
import { SCHEMES_PERMISSIONS } from '../api';

/**
 * A pay plan: a product sold to a customer on credit, paid off in instalments, each payment buying days
 * of use. What the plan has bought (expiry, days, what is still owed) is set by payments only.
 */
export const planEntity = defineEntity({
  name: 'pay_plan',
  table: 'schemes_pay_plans',
  label: { one: 'Pay plan', many: 'Pay plans' },
  description: 'Pay-as-you-go plans: each payment buys days of use; the device is on while the expiry is ahead.',
  permissions: { read: SCHEMES_PERMISSIONS.planRead, write: SCHEMES_PERMISSIONS.planManage },
  paths: { api: '/pay-plans', pages: '/schemes/plans' },
  title: 'device_serial',
  search: ['device_serial', 'product_code'],
  sorts: ['-created_at', 'expiry', 'owed'],
  fields: {
    // Refs: the pages name the customer and the shop through crm's and base's services.
    customer_id: field.ref('crm.customer', { label: 'Customer', required: true, filter: { param: 'customer_id' } }),
    product_code: field.code({ label: 'Product', required: true, maxLength: 64, upper: true, hint: "A product code of billing's catalogue." }),
    device_serial: field.text({ label: 'Device serial', maxLength: 64 }),
    device_mode: field.enum({ label: 'Device', values: { connected: 'Connected (no code)', code: 'Code-based' }, default: 'connected' }),
    device_secret: field.secret({ label: 'Device secret key', minLength: 32, maxLength: 32, hint: "The code-based device's OpenPAYGO secret: 32 hexadecimal characters. Stored sealed, never shown back." }),
    device_starting_code: field.integer({ label: 'Device starting code', min: 0, max: 999_999_999, list: false, hint: 'The 9-digit starting code of the device; derived from the secret when left out.' }),
    device_count: field.integer({ label: 'Last token count', readOnly: true, list: false, hint: 'The count of the last activation code issued: a count is never used twice.' }),
    total: field.money({ label: 'Total price', required: true, min: 1 }),
    deposit: field.money({ label: 'Deposit', default: 0, min: 0 }),
    instalment_amount: field.money({ label: 'Instalment', required: true, min: 1, hint: 'The price of one instalment of days.' }),
    instalment_days: field.integer({ label: 'Days per instalment', required: true, min: 1, max: 366 }),
    start_date: field.date({ label: 'Start date', required: true }),
    status: field.enum({ label: 'Status', values: { active: 'Active', paused: 'Paused', completed: 'Completed', written_off: 'Written off' }, default: 'active', filter: true }),
    shop_id: field.ref('base.shop', { label: 'Shop', readOnly: true, filter: { param: 'shop_id' } }),
    expiry: field.datetime({ label: 'Expiry', readOnly: true, filter: 'range' }),
    owed: field.money({ label: 'Owed', readOnly: true }),
    paid: field.money({ label: 'Paid', readOnly: true, list: false }),
    discount: field.money({ label: 'Cash discounts', readOnly: true, list: false }),
    carried_credit: field.money({ label: 'Carried credit', readOnly: true, list: false, hint: 'Money that bought less than a whole day; it counts toward the next payment.' }),
    days_bought: field.integer({ label: 'Days bought', readOnly: true }),
    bonus_days: field.integer({ label: 'Bonus days', readOnly: true }),
  },
});

export type PayPlan = EntityRow<typeof planEntity>;

/** What a plan row holds beyond its declared fields. */
export interface PlanRow extends Record<string, unknown> {
  id: number;
  company_id: number;
  customer_id: number;
  status: string;
  expiry: unknown;
  total: number;
  paid: number;
  discount: number;
  owed: number;
  carried_scaled: number;
  instalment_amount: number;
  instalment_days: number;
  days_bought: number;
  bonus_days: number;
  device_mode?: string;
  device_serial?: string | null;
  device_secret?: string | null;
  device_starting_code?: number | null;
  device_count?: number;
}
