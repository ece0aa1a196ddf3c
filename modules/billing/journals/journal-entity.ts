import { defineEntity, field, type EntityRow } from 'tessera/core';
import { BILLING_PERMISSIONS } from '../api';

const NUMBER_FORMAT = /^(?:[^{}\s]|\{year\}|\{month\})*\{seq(?::[1-9][0-9]?)?\}(?:[^{}\s]|\{year\}|\{month\})*$/;

/** Journals of a company: every posted document and every payment belongs to one, and numbers per journal. */
export const journalEntity = defineEntity({
  name: 'journal',
  table: 'billing_journals',
  label: { one: 'Journal', many: 'Journals' },
  description: 'Sales, cash, bank, mobile money and discount journals, each with its own document numbers.',
  permissions: { read: BILLING_PERMISSIONS.documentRead, write: BILLING_PERMISSIONS.journalManage, openReads: true },
  paths: { api: '/journals', pages: '/billing/journals' },
  title: 'name',
  search: ['code', 'name'],
  sorts: ['code', 'name', 'created_at'],
  fields: {
    code: field.code({ label: 'Code', required: true, maxLength: 32, upper: true, unique: true, placeholder: 'SAL' }),
    name: field.text({ label: 'Name', required: true, maxLength: 191 }),
    kind: field.enum({
      label: 'Kind',
      required: true,
      values: { sale: 'Sales', cash: 'Cash', bank: 'Bank', mobile_money: 'Mobile money', discount: 'Discount' },
      filter: true,
    }),
    number_format: field.text({
      label: 'Number format',
      required: true,
      maxLength: 60,
      placeholder: 'INV/{year}/{seq:5}',
      hint: 'Literal text with {seq:N} (next number, N digits), {year} and {month}.',
      pattern: { regex: NUMBER_FORMAT, message: 'must contain {seq} or {seq:N}, and only {year} or {month} besides' },
    }),
    is_active: field.boolean({ label: 'Active', default: true, words: ['active', 'inactive'], filter: { param: 'active' } }),
  },
});

export type JournalRow = EntityRow<typeof journalEntity>;
