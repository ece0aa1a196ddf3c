import { defineEntity, field, type EntityRow } from 'tessera/core';
import { SCHEMES_PERMISSIONS } from '../api';

/** The day's gold rate of a company (minor units per gram): weight schemes convert each instalment at its day's rate. */
export const goldRateEntity = defineEntity({
  name: 'gold_rate',
  table: 'schemes_gold_rates',
  label: { one: 'Gold rate', many: 'Gold rates' },
  description: "The company's gold rate per gram for each day.",
  permissions: { read: SCHEMES_PERMISSIONS.planRead, write: SCHEMES_PERMISSIONS.schemeManage },
  paths: { api: '/gold-rates', pages: '/schemes/gold-rates' },
  title: 'day',
  search: [],
  sorts: ['-day'],
  fields: {
    day: field.date({ label: 'Day', required: true, unique: true, filter: 'range' }),
    rate: field.money({ label: 'Rate per gram', required: true, min: 1 }),
  },
});

export type GoldRate = EntityRow<typeof goldRateEntity>;
