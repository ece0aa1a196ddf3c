import { ConflictError, EntityService, NotFoundError, type EntityHooks, type EntityRow, ValidationError, decodeCursor, encodeCursor, isDuplicateKey, type RequestContext, type ScopedDb } from 'tessera/core';
import { CRM_EVENTS, type CustomerGroupService } from '../api';
import { PERM } from '../permissions';
import { assertShops } from '../shops';
import { parseCriteria } from '../customers/customer-criteria';
import { crmSettings } from '../settings';
import { customerIdsQuery, type GroupFilter } from '../customers/customer-search';
import { resolveGroup } from '../customers/customer-service';
import type { Page } from '../customers/customer-types';
import { groupEntity } from './group-entity';
import type { CustomerGroup, GroupInput, GroupMember, GroupType } from './group-types';

const GROUPS = groupEntity.table;
const GROUP_SHOPS = 'crm_group_shops';
const MEMBERS = 'crm_group_members';
const CUSTOMERS = 'crm_customers';
const MEMBER_COLUMNS = ['c.id', 'c.code', 'c.first_name', 'c.last_name', 'c.phone', 'c.email', 'c.shop_id'];
const TAKEN = { name: 'is already the name of another group' };

/**
 * The registered entity's own writes are refused: a group's shops and members are written with it, so
 * every write goes through `CRM.CustomerGroups`. Reads, refs and pickers use the entity's service.
 */
const refuse = async (): Promise<never> => {
  throw new ConflictError('Customer groups are written through crm.CustomerGroupService');
};
export const groupRecordHooks: EntityHooks = { beforeCreate: refuse, beforeUpdate: refuse, beforeRemove: refuse };

/**
 * Customer groups: the declared entity's records (fields checked by the declaration, reads scoped,
 * writes audited) plus what is special. Membership of a by-shop group is never stored: every question
 * about it joins the customers' current shop to the group's shops, so it is always what the shops say today.
 */
export class CustomerGroupServiceImpl implements CustomerGroupService {
  constructor(private readonly records: EntityService<typeof groupEntity>) {}

  /** Every visible group by name (1000 at most), with its shops. */
  async list(ctx: RequestContext): Promise<CustomerGroup[]> {
    return this.withShops(ctx.db, (await this.records.list(ctx, { sort: 'name' })).map(toGroup));
  }

  async get(ctx: RequestContext, id: number): Promise<CustomerGroup> {
    return (await this.withShops(ctx.db, [toGroup(await this.records.get(ctx, id))]))[0];
  }

  async isMember(ctx: RequestContext, groupId: number, customerId: number): Promise<boolean> {
    const group = await this.get(ctx, groupId);
    if (group.type === 'shop') {
      const hit = await ctx.db
        .query(CUSTOMERS)
        .where('id', customerId)
        .where('company_id', group.company_id)
        .whereIn('shop_id', ctx.db.query(GROUP_SHOPS).select('shop_id').where('group_id', group.id))
        .first('id');
      return !!hit;
    }
    return !!(await ctx.db.query(MEMBERS).where({ group_id: group.id, customer_id: customerId }).first('customer_id'));
  }

  async groupsOf(ctx: RequestContext, customerId: number): Promise<CustomerGroup[]> {
    const customer = await ctx.db.findById<{ id: number; shop_id: number; company_id: number }>(CUSTOMERS, customerId);
    if (!customer) throw new NotFoundError('Customer');
    const byShop = ctx.db.query(GROUP_SHOPS).select('group_id').where({ company_id: customer.company_id, shop_id: customer.shop_id });
    const byCustomer = ctx.db.query(MEMBERS).select('group_id').where('customer_id', customerId);
    const rows = (await ctx.db
      .query(GROUPS)
      .where((w) => w.whereIn('id', byShop).orWhereIn('id', byCustomer))
      .orderBy('name')
      .orderBy('id')) as Array<Record<string, unknown>>;
    return this.withShops(ctx.db, rows.map((raw) => toGroup(this.records.toRow(raw))));
  }

  async groupIdsOf(ctx: RequestContext, customerId: number): Promise<number[]> {
    // By shop: the customer's current shop joined to the groups' shops; by list: its member rows. One UNION.
    const byShop = ctx.db
      .query(GROUP_SHOPS, 'gs')
      .join(`${CUSTOMERS} as c`, (j) => j.on('c.shop_id', '=', 'gs.shop_id').andOn('c.company_id', '=', 'gs.company_id'))
      .where('c.id', customerId)
      .select('gs.group_id');
    const byList = ctx.db.query(MEMBERS).where('customer_id', customerId).select('group_id');
    const rows = (await byShop.union([byList])) as Array<{ group_id: number }>;
    return [...new Set(rows.map((r) => Number(r.group_id)))];
  }

  async members(ctx: RequestContext, groupId: number, options: { after?: string | null; limit?: number } = {}): Promise<Page<GroupMember>> {
    const group = await this.get(ctx, groupId);
    const limit = Math.min(Math.max(Number(options.limit ?? 50), 1), 1000);
    let rows: Array<GroupMember & { shop_id: number }>;
    if (group.type === 'shop') {
      // Shop groups page by (shop, customer), customer groups by customer: each cursor has its own shape.
      const after = options.after ? decodeCursor(options.after, ['id', 'id']) : null;
      if (!group.shop_ids.length) return { data: [], next_cursor: null };
      // Ordered by (shop, id): the (company_id, shop_id) index walks it in order, however many shops.
      const q = ctx.db.query(CUSTOMERS, 'c').where('c.company_id', group.company_id).whereIn('c.shop_id', group.shop_ids);
      if (after) q.where('c.shop_id', '>=', after[0]).andWhere((w) => w.where('c.shop_id', '>', after[0]).orWhere('c.id', '>', after[1]));
      rows = await q.orderBy('c.shop_id').orderBy('c.id').limit(limit + 1).select(MEMBER_COLUMNS);
    } else {
      const q = ctx.db.query(MEMBERS, 'm').join(`${CUSTOMERS} as c`, 'c.id', 'm.customer_id').where('m.group_id', group.id);
      const after = options.after ? decodeCursor(options.after, ['id']) : null;
      if (after) q.where('m.customer_id', '>', after[0]);
      rows = await q.orderBy('m.customer_id').limit(limit + 1).select(MEMBER_COLUMNS);
    }
    const page = rows.slice(0, limit).map(toMember);
    const last = page[page.length - 1];
    const next = rows.length > limit && last ? encodeCursor(group.type === 'shop' ? [last.shop_id, last.id] : [last.id]) : null;
    return { data: page, next_cursor: next };
  }

  async *streamMembers(ctx: RequestContext, groupId: number, options: { batchSize?: number } = {}): AsyncGenerator<GroupMember[]> {
    let after: string | null = null;
    do {
      const page: Page<GroupMember> = await this.members(ctx, groupId, { after, limit: options.batchSize ?? 1000 });
      if (page.data.length) yield page.data;
      after = page.next_cursor;
    } while (after);
  }

  async count(ctx: RequestContext, groupId: number): Promise<number> {
    const group = await this.get(ctx, groupId);
    const q =
      group.type === 'shop'
        ? group.shop_ids.length
          ? ctx.db.query(CUSTOMERS).where('company_id', group.company_id).whereIn('shop_id', group.shop_ids)
          : null
        : ctx.db.query(MEMBERS).where('group_id', group.id);
    if (!q) return 0;
    const row = (await q.count({ n: '*' }).first()) as { n: number | string } | undefined;
    return Number(row?.n ?? 0);
  }

  async create(ctx: RequestContext, input: GroupInput): Promise<CustomerGroup> {
    ctx.require(PERM.groupManage);
    const companyId = ctx.companyId;
    const { values, special } = await this.clean(ctx, input, 'create');
    const search = input.search ? parseCriteria(input.search) : undefined;
    const type = values.type as GroupType;
    const id = await ctx.db.transaction(async (db) => {
      const id = await takenAsName(() => db.insert(GROUPS, { ...values, description: values.description ?? '', company_id: companyId }));
      await this.applyMembers(ctx.withDb(db), db, { id, type, company_id: companyId }, special, search);
      return id;
    });
    return this.get(ctx, id);
  }

  async update(ctx: RequestContext, id: number, patch: Partial<GroupInput> & { remove_customer_ids?: number[] }): Promise<CustomerGroup> {
    ctx.require(PERM.groupManage);
    const group = await this.get(ctx, id);
    if (patch.type !== undefined && patch.type !== group.type) throw new ValidationError({ type: 'cannot be changed; create a new group' });
    const { values, special } = await this.clean(ctx, { ...patch, type: group.type }, 'update', group.company_id);
    const search = patch.search ? parseCriteria(patch.search) : undefined;
    await ctx.db.transaction(async (db) => {
      const { type: _type, ...columns } = values;
      if (columns.description === null) columns.description = '';
      if (Object.keys(columns).length) await takenAsName(() => db.update(GROUPS, id, columns));
      await this.applyMembers(ctx.withDb(db), db, group, special, search, patch.remove_customer_ids);
    });
    return this.get(ctx, id);
  }

  /**
   * The declared fields checked by the declaration (a name squeezed to single spaces), the shop and
   * customer ids by the group's rules; every problem named at once.
   */
  private async clean(ctx: RequestContext, input: GroupInput, mode: 'create' | 'update', companyId = ctx.companyId): Promise<{ values: Record<string, unknown>; special: GroupInput }> {
    const { shop_ids, customer_ids, search: _search, remove_customer_ids: _remove, ...plain } = input as GroupInput & { remove_customer_ids?: unknown };
    if (typeof plain.name === 'string') plain.name = plain.name.trim().replace(/\s+/g, ' ');
    const { values, errors } = await this.records.check(ctx, plain, mode, companyId);
    const special: GroupInput = {};
    for (const [key, v] of [['shop_ids', shop_ids], ['customer_ids', customer_ids]] as const) {
      if (v === undefined || v === null) continue;
      const list = (Array.isArray(v) ? v : String(v).split(',').filter((x) => x.trim() !== '')).map(Number);
      if (list.some((n) => !Number.isInteger(n) || n <= 0)) errors[key] = 'must be a list of ids';
      else special[key] = list;
    }
    const byShop = (values.type ?? input.type) === 'shop';
    if (byShop && (mode === 'create' || special.shop_ids !== undefined) && !(special.shop_ids ?? []).length) errors.shop_ids = 'choose at least one shop';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    return { values, special };
  }

  async remove(ctx: RequestContext, id: number): Promise<void> {
    ctx.require(PERM.groupManage);
    const group = await this.get(ctx, id);
    await ctx.db.transaction(async (db) => {
      // Modules that select by group (bundles, coupons, messages) refuse here with their reason.
      await db.publish(CRM_EVENTS.groupDeleting, { group_id: id, name: group.name }, group.company_id);
      await db.query(MEMBERS).where('group_id', id).delete();
      await db.query(GROUP_SHOPS).where('group_id', id).delete();
      await db.remove(GROUPS, id);
    });
  }

  /** Writes shops (replacing them) or adds/removes explicit members; audited as one entry on the group. */
  private async applyMembers(
    ctx: RequestContext,
    db: ScopedDb,
    group: { id: number; type: GroupType; company_id: number },
    clean: GroupInput,
    search: ReturnType<typeof parseCriteria> | undefined,
    removeIds: number[] = [],
  ): Promise<void> {
    if (group.type === 'shop') {
      if (clean.customer_ids?.length || search || removeIds.length) {
        throw new ValidationError({ customer_ids: 'a by-shop group takes shops; its members follow from their shop' });
      }
      if (clean.shop_ids === undefined) return;
      await assertShops(ctx, clean.shop_ids, group.company_id, 'shop_ids');
      const before = (await db.query(GROUP_SHOPS).where('group_id', group.id).pluck('shop_id')).map(Number).sort((a, b) => a - b);
      const after = [...new Set(clean.shop_ids)].sort((a, b) => a - b);
      if (JSON.stringify(before) === JSON.stringify(after)) return;
      await db.query(GROUP_SHOPS).where('group_id', group.id).delete();
      if (after.length) {
        await db
          .unscoped('join rows of a group the caller may write, company asserted by insert above')
          .table(GROUP_SHOPS)
          .insert(after.map((shop_id) => ({ company_id: group.company_id, group_id: group.id, shop_id })));
      }
      await db.audit({ table: GROUPS, recordId: group.id, action: 'update', companyId: group.company_id, changes: { shop_ids: { from: before, to: after } } });
      return;
    }
    if (clean.shop_ids?.length) throw new ValidationError({ shop_ids: 'a by-customer group takes customers, not shops' });
    let added = 0;
    if (clean.customer_ids?.length) {
      const ids = [...new Set(clean.customer_ids)];
      const found = (await db.query(CUSTOMERS).where('company_id', group.company_id).whereIn('id', ids).pluck('id')).map(Number);
      const missing = ids.filter((id) => !found.includes(id));
      if (missing.length) throw new ValidationError({ customer_ids: `customer${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist` });
      added += await insertMembers(db, group, ctx.principal.userId, db.query(CUSTOMERS, 'c').select('c.id').where('c.company_id', group.company_id).whereIn('c.id', ids));
    }
    if (search) {
      const filter: GroupFilter | undefined = search.group_id ? await resolveGroup(db, search.group_id) : undefined;
      const { phone_country: phoneCountry } = await crmSettings(ctx.withDb(db), group.company_id);
      added += await insertMembers(db, group, ctx.principal.userId, customerIdsQuery(db, search, { companyId: group.company_id, group: filter, phoneCountry }));
    }
    let removed = 0;
    if (removeIds.length) removed = await db.query(MEMBERS).where('group_id', group.id).whereIn('customer_id', removeIds).delete();
    if (added || removed) {
      await db.audit({
        table: GROUPS,
        recordId: group.id,
        action: 'update',
        companyId: group.company_id,
        changes: { members: { added, removed, ...(search ? { search } : {}) } },
      });
    }
  }

  private async withShops(db: ScopedDb, rows: CustomerGroup[]): Promise<CustomerGroup[]> {
    const ids = rows.filter((r) => r.type === 'shop').map((r) => r.id);
    const shops = ids.length ? ((await db.query(GROUP_SHOPS).whereIn('group_id', ids).orderBy('shop_id').select('group_id', 'shop_id')) as Array<{ group_id: number; shop_id: number }>) : [];
    return rows.map((r) => ({ ...r, shop_ids: shops.filter((s) => Number(s.group_id) === r.id).map((s) => Number(s.shop_id)) }));
  }
}

/** A name another group of the company holds: the database's unique key decides, the message names the field. */
async function takenAsName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw isDuplicateKey(error) || error instanceof ConflictError ? new ValidationError(TAKEN) : error;
  }
}

/**
 * `INSERT ... SELECT` of the ids the query yields, skipping those already members: adding the
 * results of a search twice adds nothing (idempotent), and a million-row search never crosses into Node.
 */
async function insertMembers(db: ScopedDb, group: { id: number; company_id: number }, userId: number | null, ids: import('knex').Knex.QueryBuilder): Promise<number> {
  db.assertCompany(group.company_id);
  const knex = db.unscoped('insert-select of ids from a company-scoped query into a group of that company');
  const mysql = db.client.startsWith('mysql');
  const source = knex
    .select(knex.raw('? as company_id, ? as group_id, s.id as customer_id, ? as created_at, ? as created_by', [group.company_id, group.id, new Date(), userId]))
    .from(ids.as('s'));
  const select = source.toSQL();
  const sql = `${mysql ? 'insert ignore' : 'insert or ignore'} into ${MEMBERS} (company_id, group_id, customer_id, created_at, created_by) ${select.sql}`;
  const result: any = await knex.raw(sql, select.bindings as any);
  if (mysql) return Number(result?.[0]?.affectedRows ?? 0);
  return Number(result?.changes ?? 0);
}

/** A record in the shape of the group API (the declared fields and the times); shops are added by `withShops`. */
function toGroup(row: EntityRow<typeof groupEntity>): CustomerGroup {
  const { id, company_id, name, type, description, created_at, updated_at } = row;
  return { id, company_id, name, type, description: description ?? '', shop_ids: [], created_at, updated_at };
}

function toMember(r: any): GroupMember {
  return {
    id: Number(r.id),
    code: r.code,
    first_name: r.first_name ?? '',
    last_name: r.last_name,
    phone: r.phone ?? null,
    email: r.email ?? null,
    shop_id: Number(r.shop_id),
  };
}
