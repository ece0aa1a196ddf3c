import { defineEntity, field, ValidationError, type EntityHooks, type EntityRow, type RequestContext } from 'tessera/core';
import { SCHEMES_PERMISSIONS } from '../api';

export interface Tier {
  code: string;
  name: string;
  /** Minor units per month. */
  instalment: number;
}

function tiersRule(value: unknown): string | null {
  if (!Array.isArray(value) || value.length === 0 || value.length > 20) return 'must be a list of 1 to 20 tiers { code, name, instalment }';
  const codes = new Set<string>();
  for (const t of value as Array<Record<string, unknown>>) {
    if (typeof t?.code !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(t.code)) return 'each tier needs a code (letters, digits, - and _, at most 32)';
    if (codes.has(t.code)) return `tier ${t.code} is named twice`;
    codes.add(t.code);
    if (!Number.isSafeInteger(t.instalment) || (t.instalment as number) <= 0) return `tier ${t.code}: instalment must be a positive amount in minor units`;
  }
  return null;
}

/**
 * A gold saving scheme: a company's template that plans enrol in. Fixed (one set instalment a month)
 * or flexible (any amount, several payments a month), a duration of at most the company's maximum term
 * (a longer advance is a regulated deposit), a payment window each month, tiers and the reward rule.
 */
export const goldSchemeEntity = defineEntity({
  name: 'gold_scheme',
  table: 'schemes_gold_schemes',
  label: { one: 'Gold scheme', many: 'Gold schemes' },
  description: 'Gold saving scheme templates: kind, duration, payment window, tiers and rewards.',
  permissions: { read: SCHEMES_PERMISSIONS.planRead, write: SCHEMES_PERMISSIONS.schemeManage },
  paths: { api: '/gold-schemes', pages: '/schemes/gold-schemes' },
  title: 'name',
  search: ['name'],
  sorts: ['name', 'created_at'],
  // The list shows what tells schemes apart; the window and reward parameters are on the form.
  fields: {
    name: field.text({ label: 'Scheme name', required: true, maxLength: 120, unique: true }),
    kind: field.enum({ label: 'Kind', required: true, values: { fixed: 'Fixed (one set instalment a month)', flexible: 'Flexible (any amount, several a month)' }, filter: true }),
    duration_months: field.integer({ label: 'Duration (months)', required: true, min: 1, max: 120, hint: "At most the company's maximum term (12 by default)." }),
    window_start_day: field.integer({ list: false, label: 'Window opens (day of month)', default: 1, min: 1, max: 31 }),
    window_end_day: field.integer({
      list: false,
      label: 'Window closes (day of month)',
      default: 10,
      min: 1,
      max: 31,
      validate: (end, values) => (Number(values.window_start_day ?? 1) > end ? 'must not be before the day the window opens' : null),
    }),
    min_instalment: field.money({ label: 'Minimum instalment', required: true, min: 1 }),
    tiers: field.json<Tier[]>({ label: 'Tiers', required: true, validate: tiersRule, hint: '[{"code":"T5","name":"5,000 a month","instalment":500000}]' }),
    reward_kind: field.enum({
      label: 'Reward',
      values: { none: 'None', fixed: 'Fixed: k instalments at maturity', percentage: 'Percentage of an instalment, by on-time share', interval: 'Every k consecutive on-time instalments' },
      default: 'none',
    }),
    reward_instalments: field.integer({ list: false, label: 'Reward instalments (fixed)', default: 0, min: 0, max: 12 }),
    reward_rate: field.rate({ list: false, label: 'Reward rate (percentage, interval)', default: 0, min: 0, max: 100_000 }),
    reward_every: field.integer({ list: false, label: 'Reward every k on-time instalments (interval)', default: 0, min: 0, max: 120 }),
    reward_min_instalments: field.integer({ list: false, label: 'Minimum instalments for a bonus (percentage)', default: 0, min: 0, max: 120 }),
    weight: field.boolean({ label: 'Accumulate gold weight', default: false }),
    early_close_keeps_bonus: field.boolean({ list: false, label: 'Early close keeps the bonus earned', default: false }),
    redemption_days: field.integer({ label: 'Redemption window (days after maturity)', default: 90, min: 0, max: 3650 }),
    active: field.boolean({ label: 'Active', default: true, words: ['active', 'inactive'], filter: true }),
  },
});

export type GoldScheme = EntityRow<typeof goldSchemeEntity>;

interface Settings {
  gold_max_term_months?: number;
}

/** Checks what spans fields: the duration against the company's maximum term, tiers against the minimum, reward parameters. */
export function goldSchemeHooks(): EntityHooks<GoldScheme> {
  const check = async (ctx: RequestContext, values: Record<string, unknown>) => {
    const settings = await ctx.db.settings<Settings>('schemes');
    const max = Number(settings.gold_max_term_months ?? 12);
    const errors: Record<string, string> = {};
    if (Number(values.duration_months) > max) errors.duration_months = `must be at most ${max} months (the maximum term: a longer advance is a regulated deposit)`;
    const min = Number(values.min_instalment);
    const low = ((values.tiers as Tier[] | undefined) ?? []).find((t) => t.instalment < min);
    if (low) errors.tiers = `tier ${low.code}: instalment must be at least the minimum instalment (${min})`;
    const kind = values.reward_kind;
    if (kind === 'fixed' && !(Number(values.reward_instalments) > 0)) errors.reward_instalments = 'must be at least 1 for a fixed reward';
    if ((kind === 'percentage' || kind === 'interval') && !(Number(values.reward_rate) > 0)) errors.reward_rate = `must be above 0 for a ${kind} reward`;
    if (kind === 'interval' && !(Number(values.reward_every) > 0)) errors.reward_every = 'must be at least 1 for an interval reward';
    if (Object.keys(errors).length) throw new ValidationError(errors);
  };
  return {
    beforeCreate: async (ctx, values) => check(ctx, values),
    beforeUpdate: async (ctx, changes, before) => check(ctx, { ...before, ...changes }),
  };
}
