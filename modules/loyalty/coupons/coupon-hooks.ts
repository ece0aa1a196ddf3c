import { isDuplicateKey, ValidationError, type EntityHooks, type RequestContext } from 'tessera/core';
import type { Container } from 'inversify';
import { BILLING, type CatalogService } from '../../billing/api';
import { CRM, type CustomerGroupService } from '../../crm/api';
import { CODES_TABLE } from './coupon-codes';
import type { Coupon } from './coupon-entity';

type Values = Record<string, unknown>;

/**
 * What the entity layer cannot check field by field: the discount matches its kind, a shared coupon
 * has its code (and a single-use one none), the discount product is in billing's catalogue and the
 * groups are crm's groups of the coupon's company (through their services). A shared code is kept in
 * the codes table too, where its unique key against every other code of the company is settled.
 */
export function couponHooks(container: Container): EntityHooks<Coupon> {
  const check = async (ctx: RequestContext, merged: Values, changed: Values, companyId: number) => {
    const errors: Record<string, string> = {};
    if (merged.kind === 'percent' && !merged.percent) errors.percent = 'is required for a percent coupon';
    if (merged.kind === 'fixed' && !merged.amount) errors.amount = 'is required for a fixed-amount coupon';
    if (merged.mode === 'shared' && !merged.code) errors.code = 'is required for a shared code';
    if (merged.mode === 'single' && merged.code) errors.code = 'must be empty: single-use codes are generated in batches';
    if (merged.valid_from && merged.valid_to && String(merged.valid_to) < String(merged.valid_from)) errors.valid_to = 'must not be before valid from';
    if (changed.discount_product_code !== undefined) {
      const catalog = container.get<CatalogService>(BILLING.Catalog);
      const found = await catalog.productByCode(ctx, String(changed.discount_product_code)).catch(() => null);
      if (!found) errors.discount_product_code = `no active product ${changed.discount_product_code} in billing's catalogue`;
    }
    const groups = container.get<CustomerGroupService>(CRM.CustomerGroups);
    for (const id of (changed.group_ids as number[] | undefined) ?? []) {
      const group = await groups.get(ctx, id).catch(() => null);
      if (!group || Number(group.company_id) !== companyId) errors.group_ids = `customer group ${id} does not exist`;
    }
    if (Object.keys(errors).length) throw new ValidationError(errors);
  };

  const keepSharedCode = async (ctx: RequestContext, row: Coupon, before: Coupon | null) => {
    if (row.mode !== 'shared' || row.code === before?.code) return;
    const knex = ctx.db.unscoped("the shared code of the coupon being written, in the coupon's transaction");
    const now = new Date();
    try {
      if (before?.code) await knex(CODES_TABLE).where({ company_id: row.company_id, coupon_id: row.id, code: before.code }).update({ code: row.code, updated_at: now });
      else await knex(CODES_TABLE).insert({ company_id: row.company_id, coupon_id: row.id, code: row.code, created_at: now, updated_at: now, created_by: ctx.principal.userId, updated_by: ctx.principal.userId });
    } catch (error) {
      if (isDuplicateKey(error)) throw new ValidationError({ code: `${row.code} is already a code of this company` });
      throw error;
    }
  };

  return {
    async beforeCreate(ctx, values) {
      await check(ctx, { mode: 'shared', kind: 'fixed', ...values }, values, Number(values.company_id));
      if (values.kind === 'percent') return { amount: null };
      return { percent: null };
    },
    async beforeUpdate(ctx, changes, before) {
      const merged = { ...before, ...changes } as Values;
      await check(ctx, merged, changes, Number(before.company_id));
      if (changes.kind === 'percent') return { amount: null };
      if (changes.kind === 'fixed') return { percent: null };
    },
    async afterWrite(ctx, change) {
      if (change.row) await keepSharedCode(ctx, change.row, change.before);
    },
  };
}
