import { defineEntity, field, type EntityRow } from 'tessera/core';
import { SCHEMES_PERMISSIONS } from '../api';
import { isMonth } from './rules/gold-calendar';

/**
 * A gold plan: one customer (a family sub-account owns its own) enrolled in a scheme and tier from a
 * start month. Everything after enrolment (payments, pauses, tier changes, close, redemption) goes
 * through `GoldPlanService`, never a PATCH: the derived API only lists, reads and enrols.
 */
export const goldPlanEntity = defineEntity({
  name: 'gold_plan',
  table: 'schemes_gold_plans',
  label: { one: 'Gold plan', many: 'Gold plans' },
  description: 'Customers enrolled in gold saving schemes: instalments paid, on time, missed, grams, maturity.',
  permissions: { read: SCHEMES_PERMISSIONS.planRead, write: SCHEMES_PERMISSIONS.planEnrol },
  paths: { api: '/gold-plans', pages: '/schemes/gold-plans' },
  title: 'tier',
  search: ['tier'],
  sorts: ['-created_at', 'maturity_date'],
  fields: {
    // Refs: the list and filters name the customer (crm's service) and the scheme instead of their numbers.
    customer_id: field.ref('crm.customer', { label: 'Customer', required: true, fixed: true, filter: { param: 'customer_id' } }),
    scheme_id: field.ref('schemes.gold_scheme', { label: 'Scheme', required: true, fixed: true, filter: { param: 'scheme_id' } }),
    tier: field.code({ label: 'Tier', required: true, maxLength: 32, fixed: true }),
    start_month: field.text({ label: 'Start month', required: true, maxLength: 7, fixed: true, validate: (v) => (isMonth(v) ? null : 'must be a month YYYY-MM') }),
    status: field.enum({ label: 'Status', values: { active: 'Active', paused: 'Paused', matured: 'Matured', closed: 'Closed', redeemed: 'Redeemed' }, default: 'active', readOnly: true, filter: true }),
    kind: field.text({ label: 'Kind', readOnly: true, maxLength: 16 }),
    instalment: field.money({ label: 'Instalment', readOnly: true }),
    instalments: field.integer({ label: 'Instalments', readOnly: true }),
    paid_count: field.integer({ label: 'Paid', readOnly: true }),
    on_time_count: field.integer({ label: 'On time', readOnly: true }),
    missed_count: field.integer({ label: 'Missed', readOnly: true }),
    paid_total: field.money({ label: 'Paid total', readOnly: true }),
    grams_milli: field.integer({ label: 'Gold (mg)', readOnly: true }),
    maturity_month: field.text({ label: 'Last due month', readOnly: true, maxLength: 7, list: false }),
    maturity_date: field.date({ label: 'Maturity', readOnly: true, filter: 'range' }),
    bonus: field.money({ label: 'Bonus settled', readOnly: true, list: false }),
    settled_value: field.money({ label: 'Value handed to billing', readOnly: true, list: false }),
    credit_note_id: field.integer({ label: 'Credit note', readOnly: true, list: false }),
    closed_by: field.integer({ label: 'Closed by', readOnly: true, list: false }),
    closed_at: field.datetime({ label: 'Closed at', readOnly: true, list: false }),
    redeemed_at: field.datetime({ label: 'Redeemed at', readOnly: true, list: false }),
  },
});

export type GoldPlan = EntityRow<typeof goldPlanEntity>;
