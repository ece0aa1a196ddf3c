import { defineEntity, field, type EntityRow } from 'tessera/core';
import { LOYALTY_PERMISSIONS as P } from '../../api';

/**
 * A template's referral program: who is rewarded (the referrer, the new customer or both), when (the
 * new card installed on the phone, or its first visit), and how much: stamps on stamp cards, points on
 * reward cards, minor units on cashback and certificate cards.
 */
export const referralProgramEntity = defineEntity({
  name: 'referral_program',
  table: 'loyalty_referral_programs',
  label: { one: 'Referral program', many: 'Referral programs' },
  description: "A card template's referral rewards: who, when and how much.",
  permissions: { read: P.cardRead, write: P.templateManage },
  paths: { api: '/referral-programs', pages: '/loyalty/referral-programs' },
  title: 'template_id',
  sorts: ['-created_at'],
  fields: {
    template_id: field.ref('loyalty.card_template', { label: 'Card template', required: true, unique: true }),
    reward_to: field.enum({ label: 'Reward', values: { referrer: 'The referrer', referee: 'The new customer', both: 'Both' }, default: 'both' }),
    trigger: field.enum({ label: 'When', values: { installed: 'The new card is installed', first_visit: "The new customer's first visit" }, default: 'installed' }),
    referrer_reward: field.integer({ label: "Referrer's reward", min: 0, max: 1_000_000, default: 0, hint: 'Stamps, points, or minor units of money, by card type.' }),
    referee_reward: field.integer({ label: "New customer's reward", min: 0, max: 1_000_000, default: 0 }),
    active: field.boolean({ label: 'Active', default: true }),
  },
});

export type ReferralProgram = EntityRow<typeof referralProgramEntity>;
