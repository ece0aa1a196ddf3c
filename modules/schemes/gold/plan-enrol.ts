import { ValidationError, type EntityHooks, type RequestContext } from 'tessera/core';
import type { GoldPorts } from './gold-ports';
import { GOLD, recordGoldEvent, schemeOf } from './plan-store';
import { dueMonths, maturityOf } from './rules/gold-calendar';
import type { GoldPlan } from './plan-entity';

/**
 * Enrolment through the derived `POST /gold-plans`: the customer (a family sub-account owns its own
 * plan) must exist in crm, the scheme be active and the tier one of its tiers; the plan snapshots the
 * scheme's kind, duration and the tier's instalment, so later edits of the template do not change it.
 */
export function goldPlanHooks(ports: GoldPorts): EntityHooks<GoldPlan> {
  return {
    beforeCreate: async (ctx: RequestContext, values) => {
      const errors: Record<string, string> = {};
      await ports.customers().get(ctx, Number(values.customer_id)).catch(() => {
        errors.customer_id = 'must be a customer of the company';
      });
      const row = await ctx.db.query(GOLD.schemes).where('id', Number(values.scheme_id)).first();
      const scheme = row ? schemeOf(row) : null;
      if (!scheme || !scheme.active) errors.scheme_id = 'must be an active gold scheme of the company';
      const tier = scheme?.tiers.find((t) => t.code === values.tier);
      if (scheme && !tier) errors.tier = `must be one of the scheme's tiers: ${scheme.tiers.map((t) => t.code).join(', ')}`;
      if (Object.keys(errors).length || !scheme || !tier) throw new ValidationError(errors);
      const start = String(values.start_month);
      const maturity = maturityOf(dueMonths({ start, instalments: scheme.duration_months, missed: 0, pauses: [] }));
      return {
        kind: scheme.kind,
        instalment: tier.instalment,
        instalments: scheme.duration_months,
        status: 'active',
        segments: JSON.stringify([{ from_seq: 1, instalment: tier.instalment, tier: tier.code }]),
        pauses: '[]',
        maturity_month: maturity.month,
        maturity_date: maturity.date,
      };
    },
    afterWrite: async (ctx, change) => {
      if (change.action === 'create' && change.row) {
        const row = change.row as unknown as { id: number; company_id: number; tier: string; start_month: string };
        await recordGoldEvent(ctx.db, { id: Number(row.id), company_id: Number(row.company_id) }, 'enrolled', `tier ${row.tier} from ${row.start_month}`);
      }
    },
  };
}
