import { defineEntity, field, ValidationError, type EntityHooks, type EntityRow } from 'tessera/core';
import { LOYALTY_PERMISSIONS as P } from '../api';
import { CARD_TYPES, rulesProblems, type CardType } from './template-rules';

/** A card template: the type, its rules, how the card looks, and how long an issued card is valid. */
export const cardTemplateEntity = defineEntity({
  name: 'card_template',
  table: 'loyalty_card_templates',
  label: { one: 'Card template', many: 'Card templates' },
  description: 'The kinds of loyalty card the company hands out: stamp, multipass, cashback, certificate, coupon, membership, discount and reward cards.',
  permissions: { read: P.cardRead, write: P.templateManage, openReads: true },
  paths: { api: '/card-templates', pages: '/loyalty/card-templates' },
  title: 'name',
  search: ['name'],
  sorts: ['name', '-created_at'],
  fields: {
    name: field.text({ label: 'Name', required: true, maxLength: 120 }),
    type: field.enum({ label: 'Type', values: CARD_TYPES, required: true, filter: true }),
    rules: field.json<Record<string, unknown>>({ label: 'Rules', list: false, hint: "The type's rules as JSON: stamps and rewards, uses, levels, period, catalogue." }),
    design: field.json<Record<string, unknown>>({ label: 'Design', list: false, hint: 'Colours, logo address and the fields the card shows.' }),
    validity_kind: field.enum({ label: 'Valid', values: { unlimited: 'Without end', date: 'Until a date', days: 'Days after issue' }, default: 'unlimited' }),
    validity_date: field.date({ label: 'Valid until', list: false }),
    validity_days: field.integer({ label: 'Valid for (days)', min: 1, max: 3650, list: false }),
    active: field.boolean({ label: 'Active', default: true, filter: true }),
  },
});

export type CardTemplate = EntityRow<typeof cardTemplateEntity>;

/** The type is fixed once cards exist; rules and validity are checked together, since each depends on the type. */
export function templateHooks(): EntityHooks<CardTemplate> {
  const check = (values: Record<string, unknown>) => {
    const problems = rulesProblems(values.type as CardType, values.rules);
    if (values.validity_kind === 'date' && !values.validity_date) problems.validity_date = 'is needed when cards are valid until a date';
    if (values.validity_kind === 'days' && !values.validity_days) problems.validity_days = 'is needed when cards are valid for some days';
    if (Object.keys(problems).length) throw new ValidationError(problems);
  };
  return {
    async beforeCreate(_ctx, values) {
      check(values);
    },
    async beforeUpdate(_ctx, changes, before) {
      if ('type' in changes && changes.type !== before.type) throw new ValidationError({ type: 'cannot change: cards follow the type they were issued with' });
      check({ ...before, ...changes });
    },
  };
}
