import type { Knex } from 'knex';
import { type ScopedDb, keysetPage, type BranchFilter, type KeysetOrder, ValidationError, endOfDay, startOfDay } from 'tessera/core';
import { prefixPlan, type PrefixPlan } from './customer-normalize';
import type { PhoneCountry } from './phone-numbers';
import type { CustomerCriteria, CustomerRow, CustomerSort } from './customer-types';
import { FILTER_INDEXES, plainFilters, type PlainKey } from './customer-entity';

/** A group filter, resolved by the caller (the group's type decides how membership is joined). */
export interface GroupFilter {
  id: number;
  type: 'shop' | 'customer';
}

export interface SearchOptions {
  sort?: CustomerSort;
  after?: string | null;
  limit?: number;
  /** Restricts to one company (a group is built inside its own company). */
  companyId?: number;
  group?: GroupFilter;
  /** How a list without query text reaches its rows; see planDrive. Default: the optimizer decides. */
  drive?: Drive;
  /** The company's country: a phone typed the national way is searched in E.164. */
  phoneCountry?: PhoneCountry;
}

/**
 * `order`: walk the sort index and test each row against the filters (a common tag: the page fills
 * after a few hundred rows). `filter`: collect the few matching rows first, then sort them (a rare tag).
 * `auto`: leave it to the database.
 */
export type Drive = 'order' | 'filter' | 'auto';

/** Up to this many rows, a filter's matches are collected and sorted; beyond, the sort order is walked. */
export const FILTER_FIRST_LIMIT = 5000;

interface SortSpec {
  column: 'name_norm' | 'code_norm' | 'id';
  direction: 'asc' | 'desc';
}

export function sortSpec(sort: CustomerSort = 'name'): SortSpec {
  const direction = sort.startsWith('-') ? 'desc' : 'asc';
  const key = sort.replace(/^-/, '');
  const column = key === 'name' ? 'name_norm' : key === 'code' ? 'code_norm' : key === 'created' ? 'id' : null;
  if (!column) throw new ValidationError({ sort: 'must be one of name, code, created (prefix - for descending)' });
  return { column, direction };
}

const MAX_LIMIT = 500;

/**
 * Builds the customer search on the core's keyset pages. With a query text, each searchable column is
 * its own index range (`company_id, col LIKE 'prefix%'`), each branch already ordered and cut to the
 * page size; the union of those few rows is then joined back and sorted. MySQL cannot use one index
 * for an OR across columns with ORDER BY ... LIMIT, so the OR would scan the table; the union never
 * does. A user who sees several companies gets a branch per company too (see core/data/keyset-page).
 */
export function customerSearch(db: ScopedDb, criteria: CustomerCriteria, options: SearchOptions = {}) {
  const limit = Math.min(Math.max(Number(options.limit ?? 50), 1), MAX_LIMIT);
  const spec = sortSpec(options.sort);
  const order: KeysetOrder = { column: spec.column, direction: spec.direction, kind: spec.column === 'id' ? 'number' : 'text' };
  const mysql = db.client.startsWith('mysql');
  const plans = prefixPlan(criteria.q, options.phoneCountry);
  // Walking the sort index (MySQL, a common set filter) reads index entries and probes the small set
  // tables for ids only, then fetches the page's rows: reading every walked row whole would be a
  // random read per entry.
  const walkSortIndex = plans.length === 0 && mysql && options.drive === 'order';
  const setFilters = plans.length ? 'in' : walkSortIndex ? 'exists' : options.drive === 'filter' ? 'join' : 'in';
  let alternatives: BranchFilter[] | undefined;
  if (criteria.q && plans.length === 0) alternatives = [];
  else if (walkSortIndex) alternatives = [(qb, alias) => forceIndex(db, qb, alias, orderedIndex(criteria, spec))];
  else if (plans.length) {
    alternatives = plans.map((plan) => (qb: Knex.QueryBuilder, alias: string) => {
      if (spec.column !== 'code_norm') forceIndex(db, qb, alias, PREFIX_INDEX[plan.column]);
      applyPrefix(qb, alias, plan, mysql);
    });
  }
  const { query, cut } = keysetPage(db, {
    table: 'crm_customers',
    order,
    after: options.after,
    limit,
    companyId: options.companyId,
    filter: (qb, alias) => applyFilters(db, qb, alias, criteria, { ...options, setFilters }),
    alternatives,
    // A prefix branch or a forced walk reads ids from its index alone, even for one company.
    alwaysBranch: walkSortIndex || plans.length > 0,
  });
  return {
    query,
    limit,
    /** Cuts the extra row off and builds the next cursor from the last row's sort key. */
    page(rows: CustomerRow[]): { rows: CustomerRow[]; next_cursor: string | null } {
      const { data, next_cursor } = cut(rows);
      return { rows: data, next_cursor };
    },
  };
}

/**
 * Ids of every customer matching the criteria, without sort or limit: what "add every result of this
 * search to the group" inserts. Same branches as the page query, so the group holds exactly what the
 * list shows.
 */
export function customerIdsQuery(db: ScopedDb, criteria: CustomerCriteria, options: { companyId?: number; group?: GroupFilter; phoneCountry?: PhoneCountry; branchLimit?: number } = {}): Knex.QueryBuilder {
  const mysql = db.client.startsWith('mysql');
  const plans = prefixPlan(criteria.q, options.phoneCountry);
  if (criteria.q && plans.length === 0) return db.query('crm_customers', 'c').select('c.id').whereRaw('1 = 0');
  if (plans.length === 0) {
    const q = db.query('crm_customers', 'c').select('c.id');
    applyFilters(db, q, 'c', criteria, options);
    return q;
  }
  const branches = plans.map((plan, i) => {
    const branch = db.query('crm_customers', 'b').select('b.id');
    applyPrefix(branch, 'b', plan, mysql);
    applyFilters(db, branch, 'b', criteria, options);
    // A bounded count cuts each branch at the bound: the union of cut branches reaches the bound
    // exactly when the whole union does, without reading every match of a common prefix.
    if (options.branchLimit) branch.limit(options.branchLimit);
    return db.unscoped('wraps a company-scoped branch').select('id').from(branch.as(`b${i}`));
  });
  return unionOf(branches);
}

function unionOf(branches: Knex.QueryBuilder[]): Knex.QueryBuilder {
  const [first, ...rest] = branches;
  return rest.length ? first.union(rest) : first;
}

const PREFIX_INDEX: Record<PrefixPlan['column'], string> = {
  name_norm: 'crm_customers_name_idx',
  name_rev_norm: 'crm_customers_name_rev_idx',
  code_norm: 'crm_customers_code_unique',
  phone_norm: 'crm_customers_phone_idx',
  email_norm: 'crm_customers_email_idx',
};

/**
 * Both planners like to walk the name index in sort order and filter, betting on finding a page of
 * matches early: MySQL's with a prefix correlated to the name (an e-mail starting with the first
 * name), SQLite's as soon as its statistics predate a company's customers. Either way half a company
 * is read. The branch's own prefix index, which also holds name_norm and id, answers from the index
 * alone: a bounded range and a small sort.
 */
function forcePrefixIndex(db: ScopedDb, branch: Knex.QueryBuilder, plan: PrefixPlan): void {
  forceIndex(db, branch, 'b', PREFIX_INDEX[plan.column]);
}

function forceIndex(db: ScopedDb, qb: Knex.QueryBuilder, alias: string, index: string): void {
  const knex = db.unscoped('index hint on a query that stays company-scoped');
  const hint = db.client.startsWith('mysql') ? 'force index (??)' : 'indexed by ??';
  qb.from(knex.raw(`?? as ?? ${hint}`, ['crm_customers', alias, index]));
}

/**
 * The index to walk in sort order: an equality filter's own (company, value, name) index when there is
 * one, so only rows with that value are read, else the name index, or the primary key for id order.
 */
function orderedIndex(c: CustomerCriteria, spec: SortSpec): string {
  if (spec.column === 'id') return 'PRIMARY';
  if (c.shop_ids?.length === 1) return 'crm_customers_shop_name_idx';
  if (c.birth_month) return 'crm_customers_birth_month_idx';
  for (const f of plainFilters) {
    const index = FILTER_INDEXES[f.key as PlainKey];
    if (index && (c as Record<string, unknown>)[f.key]) return index;
  }
  return 'crm_customers_name_idx';
}

/**
 * Picks the drive of a list without query text on MySQL. Only set filters (a tag, a group, several
 * shops) need it: single-value filters have an index ending in the name, which is both. The smallest
 * set is counted, stopping at FILTER_FIRST_LIMIT, so the question costs at most that many index entries.
 */
export async function planDrive(db: ScopedDb, criteria: CustomerCriteria, options: SearchOptions): Promise<Drive> {
  const mysql = db.client.startsWith('mysql');
  const spec = sortSpec(options.sort);
  if (!mysql || prefixPlan(criteria.q).length || spec.column === 'code_norm') return 'auto';
  const sets: Knex.QueryBuilder[] = [];
  if (criteria.tag) sets.push(db.query('crm_customer_tags').select('customer_id').where('tag', criteria.tag.trim().toLowerCase()));
  if (options.group?.type === 'customer') sets.push(db.query('crm_group_members').select('customer_id').where('group_id', options.group.id));
  const shopSet = (ids: Knex.QueryBuilder | number[]) => db.query('crm_customers').select('id').whereIn('shop_id', ids);
  if ((criteria.shop_ids?.length ?? 0) > 1) sets.push(shopSet(criteria.shop_ids!));
  if (options.group?.type === 'shop') sets.push(shopSet(db.query('crm_group_shops').select('shop_id').where('group_id', options.group.id)));
  if (!sets.length) return 'auto';
  for (const set of sets) {
    const knex = db.unscoped('counts rows of a company-scoped sub-query');
    const row = await knex.count({ n: '*' }).from(set.limit(FILTER_FIRST_LIMIT + 1).as('s')).first();
    if (Number((row as { n: number | string } | undefined)?.n ?? 0) <= FILTER_FIRST_LIMIT) return 'filter';
  }
  return 'order';
}

function applyPrefix(qb: Knex.QueryBuilder, alias: string, plan: PrefixPlan, mysql: boolean): void {
  const column = `${alias}.${plan.column}`;
  if (mysql) {
    // LIKE with a constant prefix is an index range on MySQL/MariaDB.
    qb.whereRaw(`?? like ? escape '!'`, [column, plan.prefix.replace(/[!%_]/g, '!$&') + '%']);
  } else {
    // SQLite only uses an index for LIKE on NOCASE columns; a half-open range is the same set here.
    qb.where(column, '>=', plan.prefix).andWhere(column, '<', plan.prefix + '\u{10FFFF}');
  }
}

function applyFilters(
  db: ScopedDb,
  qb: Knex.QueryBuilder,
  alias: string,
  c: CustomerCriteria,
  options: { companyId?: number; group?: GroupFilter; setFilters?: 'in' | 'exists' | 'join' },
): void {
  const how = options.setFilters ?? 'in';
  // A set of customer ids (a tag's, a group's): a semi-join by default, a per-row probe of its primary
  // key when walking the sort order, a join on the collected ids when the set is small.
  const inSet = (table: string, where: Record<string, unknown>) => {
    if (how === 'exists') {
      qb.whereExists(db.query(table, 's').select(db.unscoped('constant').raw('1')).where(where).whereRaw('?? = ??', ['s.customer_id', `${alias}.id`]));
    } else if (how === 'join') {
      const name = `f_${table}`;
      qb.join(db.query(table).distinct('customer_id').where(where).as(name), `${name}.customer_id`, `${alias}.id`);
    } else {
      qb.whereIn(`${alias}.id`, db.query(table).select(`${table}.customer_id`).where(where));
    }
  };
  if (options.companyId) qb.where(`${alias}.company_id`, options.companyId);
  if (c.shop_ids && c.shop_ids.length) qb.whereIn(`${alias}.shop_id`, c.shop_ids);
  for (const f of plainFilters) {
    const value = (c as Record<string, unknown>)[f.key];
    if (value) qb.where(`${alias}.${f.key}`, value as string);
  }
  if (c.birth_month) qb.where(`${alias}.birth_month`, c.birth_month);
  if (c.parent_id) qb.where(`${alias}.parent_id`, c.parent_id);
  if (c.ids) qb.whereIn(`${alias}.id`, c.ids);
  // Calendar days in the company's time zone: "created on the 1st" means the 1st where it works.
  const timeZone = companyTimeZone(db);
  if (c.created_from) qb.where(`${alias}.created_at`, '>=', startOfDay(c.created_from, timeZone));
  if (c.created_to) qb.where(`${alias}.created_at`, '<', endOfDay(c.created_to, timeZone));
  if (c.tag) inSet('crm_customer_tags', { tag: c.tag.trim().toLowerCase() });
  const group = options.group;
  if (group) {
    if (group.type === 'shop') {
      qb.whereIn(`${alias}.shop_id`, db.query('crm_group_shops').select('crm_group_shops.shop_id').where('crm_group_shops.group_id', group.id));
    } else {
      inSet('crm_group_members', { group_id: group.id });
    }
  }
}

function companyTimeZone(db: ScopedDb): string {
  const { companies, companyId } = db.principal;
  return companies?.find((company) => company.id === companyId)?.timezone ?? 'UTC';
}
