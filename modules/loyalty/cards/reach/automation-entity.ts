import { defineEntity, field, type EntityRow } from 'tessera/core';
import { LOYALTY_PERMISSIONS as P } from '../../api';

/** What a template's card holders are sent without anyone asking: birthday wishes, next-visit reminders. */
export const automationEntity = defineEntity({
  name: 'card_automation',
  table: 'loyalty_card_automations',
  label: { one: 'Card automation', many: 'Card automations' },
  description: "Messages sent to a template's card holders by the daily run: birthday congratulations (once a year), a reminder N days after the last visit (once per visit) and a feedback request after a visit, each with its own text.",
  permissions: { read: P.cardRead, write: P.templateManage },
  paths: { api: '/card-automations', pages: '/loyalty/card-automations' },
  title: 'template_id',
  sorts: ['-created_at'],
  fields: {
    template_id: field.ref('loyalty.card_template', { label: 'Card template', required: true, unique: true }),
    birthday: field.boolean({ label: 'Birthday congratulations', default: false }),
    next_visit_days: field.integer({ label: 'Next-visit reminder after (days)', min: 1, max: 365, hint: 'Empty: no reminder.' }),
    feedback_days: field.integer({ label: 'Feedback request after (days)', min: 0, max: 30, hint: '0: the evening of the visit day run; empty: no request.' }),
    active: field.boolean({ label: 'Active', default: true }),
    birthday_message: field.text({ label: 'Birthday message', maxLength: 1000, multiline: true, list: false, hint: "Empty: messaging's template for card holder birthdays." }),
    next_visit_message: field.text({ label: 'Next-visit reminder message', maxLength: 1000, multiline: true, list: false, hint: "Empty: messaging's template for next-visit reminders." }),
    feedback_message: field.text({ label: 'Feedback request message', maxLength: 1000, multiline: true, list: false, hint: 'The link to the rating page follows the text. Empty: messaging\'s template.' }),
  },
});

export type CardAutomation = EntityRow<typeof automationEntity>;
