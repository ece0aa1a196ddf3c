import type { BoundedCount, RequestContext } from 'tessera/core';
import { ValidationError } from 'tessera/core';
import { PERM } from '../permissions';
import type { Knex } from 'knex';
import { customerIdsQuery, type GroupFilter } from './customer-search';
import { resolveGroup, tagsFor } from './customer-service';
import { parseTags } from './customer-validation';
import { crmSettings } from '../settings';
import type { PhoneCountry } from './phone-numbers';
import type { CustomerCriteria } from './customer-types';

const TAGS = 'crm_customer_tags';
const BATCH = 1000;

/**
 * The list's count and "every match" for bulk actions: the same criteria, the same company scope as
 * the page. Counting stops one past `bound`, so a million customers cost no more than the bound.
 */
export async function countCustomers(ctx: RequestContext, criteria: CustomerCriteria, bound: number): Promise<BoundedCount> {
  ctx.require(PERM.customerRead);
  const group = criteria.group_id ? await resolveGroup(ctx.db, criteria.group_id) : undefined;
  const { phone_country: phoneCountry } = await crmSettings(ctx);
  const row = (await countCustomersQuery(ctx, criteria, bound, group, phoneCountry).first()) as { n: number | string } | undefined;
  const n = Number(row?.n ?? 0);
  return { count: Math.min(n, bound), exact: n <= bound };
}

/** The count's query: the matching ids, one past the bound, counted. */
export function countCustomersQuery(ctx: RequestContext, criteria: CustomerCriteria, bound: number, group?: GroupFilter, phoneCountry?: PhoneCountry): Knex.QueryBuilder {
  const ids = customerIdsQuery(ctx.db, criteria, { group, branchLimit: bound + 1, phoneCountry }).limit(bound + 1);
  return ctx.db.unscoped('counts a company-scoped sub-query').count({ n: '*' }).from(ids.as('m'));
}

/** Ids of every matching customer, ascending, a batch at a time (keyed on id, so nothing is read twice). */
export async function* matchingCustomerIds(ctx: RequestContext, criteria: CustomerCriteria): AsyncIterable<number[]> {
  ctx.require(PERM.customerRead);
  const group = criteria.group_id ? await resolveGroup(ctx.db, criteria.group_id) : undefined;
  const { phone_country: phoneCountry } = await crmSettings(ctx);
  let last = 0;
  for (;;) {
    const knex = ctx.db.unscoped('pages a company-scoped sub-query by id');
    const rows = (await knex.select('m.id').from(customerIdsQuery(ctx.db, criteria, { group, phoneCountry }).as('m')).where('m.id', '>', last).orderBy('m.id').limit(BATCH)) as Array<{ id: number }>;
    if (!rows.length) return;
    last = Number(rows[rows.length - 1].id);
    yield rows.map((r) => Number(r.id));
  }
}

/**
 * Adds a tag to customers (those the caller sees among `ids`), each change in the customer's history
 * as a change of its tags. The primary key (customer, tag) makes a repeated run add nothing.
 */
export async function tagCustomers(ctx: RequestContext, ids: number[], rawTag: string): Promise<number> {
  ctx.require(PERM.customerWrite);
  const { tags, error } = parseTags(rawTag);
  if (error || tags.length !== 1) throw new ValidationError({ tag: error ?? 'type one tag' });
  const [tag] = tags;
  let added = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    added += await ctx.db.transaction(async (db) => {
      const visible = (await db.query('crm_customers').whereIn('id', ids.slice(i, i + BATCH)).select('id', 'company_id')) as Array<{ id: number; company_id: number }>;
      const current = await tagsFor(db, visible.map((r) => Number(r.id)));
      const missing = visible.filter((r) => !(current.get(Number(r.id)) ?? []).includes(tag));
      if (!missing.length) return 0;
      await db.unscoped('tag rows carry the company of a customer just read through the scope').table(TAGS).insert(missing.map((r) => ({ company_id: Number(r.company_id), customer_id: Number(r.id), tag })));
      await db.auditMany(
        missing.map((r) => {
          const before = current.get(Number(r.id)) ?? [];
          return { table: 'crm_customers', recordId: Number(r.id), action: 'update', companyId: Number(r.company_id), changes: { tags: { from: before, to: [...before, tag].sort() } } };
        }),
      );
      return missing.length;
    });
  }
  return added;
}
