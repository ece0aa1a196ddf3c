import type { ScopedDb } from '../../../core/data/scoped-db';
import { decodeCursor, encodeCursor } from '../../../core/data/keyset';
import { isDuplicateKey } from '../../../core/db/db-lock';
import { toDate } from '../../../core/db/schema-helpers';
import { NotFoundError, ValidationError } from '../../../core/http/errors';
import type { RequestContext } from '../../../core/security/request-context';
import { CRM_EVENTS, type CustomerGroupService } from '../api';
import { PERM } from '../permissions';
import { assertShops } from '../shops';
import { parseCriteria } from '../customers/customer-criteria';
import { crmSettings } from '../settings';
import { customerIdsQuery, type GroupFilter } from '../customers/customer-search';
import { resolveGroup } from '../customers/customer-service';
import type { Page } from '../customers/customer-types';
import type { CustomerGroup, GroupInput, GroupMember, GroupType } from './group-types';

const GROUPS = 'crm_groups';
const GROUP_SHOPS = 'crm_group_shops';
const MEMBERS = 'crm_group_members';
const CUSTOMERS = 'crm_customers';
const MEMBER_COLUMNS = ['c.id', 'c.code', 'c.first_name', 'c.last_name', 'c.phone', 'c.email', 'c.shop_id'];

interface GroupRow {
  id: number;
  company_id: number;
  name: string;
  type: string;
  description: string;
  created_at: unknown;
  updated_at: unknown;
}

/**
 * Customer groups. Membership of a by-shop group is never stored: every question about it joins the
 * customers' current shop to the group's shops, so it is always what the shops say today.
 */
export class CustomerGroupServiceImpl implements CustomerGroupService {
  async list(ctx: RequestContext): Promise<CustomerGroup[]> {
    const rows = (await ctx.db.query(GROUPS).orderBy('name').orderBy('id').limit(1000)) as GroupRow[];
    return this.withShops(ctx.db, rows);
  }

  async get(ctx: RequestContext, id: number): Promise<CustomerGroup> {
    const row = await ctx.db.findById<GroupRow>(GROUPS, id);
    if (!row) throw new NotFoundError('Customer group');
    return (await this.withShops(ctx.db, [row]))[0];
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
      .orderBy('id')) as GroupRow[];
    return this.withShops(ctx.db, rows);
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
    const clean = validateGroup(input, false);
    const search = input.search ? parseCriteria(input.search) : undefined;
    const id = await ctx.db.transaction(async (db) => {
      let id: number;
      try {
        id = await db.insert(GROUPS, { name: clean.name, type: clean.type, description: clean.description ?? '', company_id: companyId });
      } catch (error) {
        throw isDuplicateKey(error) ? new ValidationError({ name: 'is already the name of another group' }) : error;
      }
      await this.applyMembers(ctx.withDb(db), db, { id, type: clean.type!, company_id: companyId }, clean, search);
      return id;
    });
    return this.get(ctx, id);
  }

  async update(ctx: RequestContext, id: number, patch: Partial<GroupInput> & { remove_customer_ids?: number[] }): Promise<CustomerGroup> {
    ctx.require(PERM.groupManage);
    const group = await this.get(ctx, id);
    const clean = validateGroup({ ...patch, type: patch.type ?? group.type }, true);
    if (clean.type !== group.type) throw new ValidationError({ type: 'cannot be changed; create a new group' });
    const search = patch.search ? parseCriteria(patch.search) : undefined;
    await ctx.db.transaction(async (db) => {
      const columns: Record<string, unknown> = {};
      if (clean.name !== undefined) columns.name = clean.name;
      if (clean.description !== undefined) columns.description = clean.description ?? '';
      if (Object.keys(columns).length) {
        try {
          await db.update(GROUPS, id, columns);
        } catch (error) {
          throw isDuplicateKey(error) ? new ValidationError({ name: 'is already the name of another group' }) : error;
        }
      }
      await this.applyMembers(ctx.withDb(db), db, group, clean, search, patch.remove_customer_ids);
    });
    return this.get(ctx, id);
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

  private async withShops(db: ScopedDb, rows: GroupRow[]): Promise<CustomerGroup[]> {
    const ids = rows.filter((r) => r.type === 'shop').map((r) => Number(r.id));
    const shops = ids.length ? ((await db.query(GROUP_SHOPS).whereIn('group_id', ids).orderBy('shop_id').select('group_id', 'shop_id')) as Array<{ group_id: number; shop_id: number }>) : [];
    return rows.map((r) => ({
      id: Number(r.id),
      company_id: Number(r.company_id),
      name: r.name,
      type: r.type === 'shop' ? 'shop' : 'customer',
      description: r.description ?? '',
      shop_ids: shops.filter((s) => Number(s.group_id) === Number(r.id)).map((s) => Number(s.shop_id)),
      created_at: toDate(r.created_at)?.toISOString() ?? null,
      updated_at: toDate(r.updated_at)?.toISOString() ?? null,
    }));
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

function validateGroup(input: GroupInput, partial: boolean): GroupInput {
  const errors: Record<string, string> = {};
  const out: GroupInput = {};
  if (!partial || input.name !== undefined) {
    const name = String(input.name ?? '').trim().replace(/\s+/g, ' ');
    if (!name) errors.name = 'is required';
    else if (name.length > 100) errors.name = 'must be at most 100 characters';
    else out.name = name;
  }
  if (input.type !== 'shop' && input.type !== 'customer') errors.type = 'must be shop or customer';
  else out.type = input.type;
  if (input.description !== undefined) {
    const d = String(input.description ?? '').trim();
    if (d.length > 255) errors.description = 'must be at most 255 characters';
    else out.description = d;
  }
  for (const key of ['shop_ids', 'customer_ids'] as const) {
    const v = input[key];
    if (v === undefined || v === null) continue;
    const list = Array.isArray(v) ? v : String(v).split(',').filter((x) => x.trim() !== '');
    const ids = list.map(Number);
    if (ids.some((n) => !Number.isInteger(n) || n <= 0)) errors[key] = 'must be a list of ids';
    else out[key] = ids;
  }
  if (!partial && out.type === 'shop' && !(out.shop_ids ?? []).length) errors.shop_ids = 'choose at least one shop';
  if (partial && out.type === 'shop' && out.shop_ids !== undefined && !out.shop_ids.length) errors.shop_ids = 'choose at least one shop';
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return out;
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
