import { ValidationError, type EntityHooks, type RequestContext } from 'tessera/core';
import type { Ports } from '../billing/billing-ports';
import type { Bundle } from './bundle-entity';
import { forgetBundles } from './bundle-store';

type Values = Record<string, unknown>;

/**
 * What the entity layer cannot check alone: the journal is a discount journal of the bundle's company,
 * the payment journals and customer groups exist there (through billing's and crm's services).
 */
export function bundleHooks(ports: Ports): EntityHooks<Bundle> {
  const check = async (ctx: RequestContext, values: Values, companyId: number) => {
    const errors: Record<string, string> = {};
    const journal = async (id: number) => {
      const j = await ports.catalog().journal(ctx.db, id).catch(() => null);
      return j && Number(j.company_id) === companyId ? j : null;
    };
    if (values.journal_id !== undefined) {
      const j = await journal(Number(values.journal_id));
      if (!j) errors.journal_id = `journal ${values.journal_id} does not exist`;
      else if (j.kind !== 'discount') errors.journal_id = `must be a discount journal (${j.code} is ${j.kind})`;
    }
    for (const id of (values.payment_journal_ids as number[] | undefined) ?? []) {
      if (!(await journal(id))) errors.payment_journal_ids = `journal ${id} does not exist`;
    }
    for (const id of (values.group_ids as number[] | undefined) ?? []) {
      const group = await ports.groups().get(ctx, id).catch(() => null);
      if (!group || Number(group.company_id) !== companyId) errors.group_ids = `customer group ${id} does not exist`;
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
  };
  return {
    // Payments judge the company's bundles from a per-kernel copy: a write drops it.
    async afterWrite(_ctx, change) {
      forgetBundles(ports, Number(change.row?.company_id ?? change.before?.company_id));
    },
    async beforeCreate(ctx, values) {
      await check(ctx, values, Number(values.company_id)); // set by the company scope before any hook runs
    },
    async beforeUpdate(ctx, changes, before) {
      await check(ctx, changes, Number(before.company_id));
      const from = 'valid_from' in changes ? changes.valid_from : before.valid_from;
      const to = 'valid_to' in changes ? changes.valid_to : before.valid_to;
      if (from && to && String(to) < String(from)) throw new ValidationError({ valid_to: 'must not be before valid from' });
    },
  };
}
