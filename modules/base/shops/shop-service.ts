import type { RequestContext } from '../../../core/security/request-context';
import type { Page } from '../../../core/security/services';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/http/errors';
import { applyKeyset } from '../../../core/data/keyset';
import { isDuplicateKey } from '../../../core/db/db-lock';
import { toDate } from '../../../core/db/schema-helpers';
import { BASE_PERMISSIONS } from '../identifiers';
import type { Shop, ShopInput, ShopPageOptions, ShopPatch, ShopService } from './shop';
import { escapeLikePrefix, LIKE_ESCAPE } from '../forms/like';

export const SHOPS_TABLE = 'base_shops';

const CODE = /^[A-Z0-9_-]{1,32}$/;
const PHONE = /^[0-9+()./\s-]{3,40}$/;

/** Stateless: every call works through the caller's `ctx.db`, which scopes rows to its companies and audits writes. */
export class DefaultShopService implements ShopService {
  async list(ctx: RequestContext): Promise<Shop[]> {
    const rows = await ctx.db.query(SHOPS_TABLE).orderBy('name').orderBy('id');
    return rows.map(toShop);
  }

  async page(ctx: RequestContext, options: ShopPageOptions = {}): Promise<Page<Shop>> {
    const query = ctx.db.query(SHOPS_TABLE).select(`${SHOPS_TABLE}.*`);
    const q = options.q?.trim();
    if (q) {
      const pattern = escapeLikePrefix(q);
      query.where((w) => w.whereRaw(`code like ? ${LIKE_ESCAPE}`, [pattern]).orWhereRaw(`name like ? ${LIKE_ESCAPE}`, [pattern]));
    }
    if (options.active !== undefined) query.where('is_active', options.active);
    const cut = applyKeyset(query, {
      sortColumn: `${SHOPS_TABLE}.id`,
      idColumn: `${SHOPS_TABLE}.id`,
      limit: clampLimit(options.limit),
      after: options.after ?? null,
    });
    const { data, next_cursor } = cut(await query);
    return { data: data.map(toShop), next_cursor };
  }

  async get(ctx: RequestContext, id: number): Promise<Shop> {
    if (!Number.isSafeInteger(Number(id))) throw new NotFoundError('Shop');
    return toShop(await ctx.db.getById(SHOPS_TABLE, Number(id), 'Shop'));
  }

  async findByCodeOrName(ctx: RequestContext, text: string, companyId = ctx.companyId): Promise<Shop | undefined> {
    const needle = String(text ?? '').trim().toLowerCase();
    if (!needle) return undefined;
    const inCompany = () => ctx.db.query(SHOPS_TABLE).where('company_id', companyId);
    const byCode = await inCompany().whereRaw('lower(code) = ?', [needle]).first();
    if (byCode) return toShop(byCode);
    // Names are not unique; the oldest shop of that name wins, which keeps imports deterministic.
    const byName = await inCompany().whereRaw('lower(name) = ?', [needle]).orderBy('id').first();
    return byName ? toShop(byName) : undefined;
  }

  async create(ctx: RequestContext, input: ShopInput): Promise<Shop> {
    ctx.require(BASE_PERMISSIONS.shopManage);
    const row = clean(input, true);
    const companyId = input.company_id === undefined || input.company_id === null ? ctx.companyId : Number(input.company_id);
    if (!ctx.companyIds.includes(companyId)) throw new ValidationError({ company_id: 'is not one of your companies' });
    try {
      const id = await ctx.db.transaction((db) => db.insert(SHOPS_TABLE, { ...row, company_id: companyId }));
      return this.get(ctx, id);
    } catch (error) {
      throw duplicateCode(error);
    }
  }

  async update(ctx: RequestContext, id: number, patch: ShopPatch): Promise<Shop> {
    ctx.require(BASE_PERMISSIONS.shopManage);
    const row = clean(patch, false);
    if (Object.keys(row).length === 0) return this.get(ctx, id);
    try {
      const updated = await ctx.db.transaction((db) => db.update<Record<string, unknown>>(SHOPS_TABLE, id, row));
      return toShop(updated);
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError('Shop');
      throw duplicateCode(error);
    }
  }
}

/** Normalises and checks the fields given; `creating` requires code and name. */
function clean(input: ShopPatch, creating: boolean): Record<string, unknown> {
  const fields: Record<string, string> = {};
  const row: Record<string, unknown> = {};
  if (input.code !== undefined || creating) {
    const code = String(input.code ?? '').trim().toUpperCase();
    if (!code) fields.code = 'is required';
    else if (!CODE.test(code)) fields.code = 'must be 1 to 32 letters, digits, - or _';
    row.code = code;
  }
  if (input.name !== undefined || creating) {
    const name = String(input.name ?? '').trim();
    if (!name) fields.name = 'is required';
    else if (name.length > 191) fields.name = 'must be at most 191 characters';
    row.name = name;
  }
  if (input.address !== undefined) {
    const address = input.address === null ? '' : String(input.address).trim();
    if (address.length > 500) fields.address = 'must be at most 500 characters';
    row.address = address || null;
  }
  if (input.phone !== undefined) {
    const phone = input.phone === null ? '' : String(input.phone).trim();
    if (phone && !PHONE.test(phone)) fields.phone = 'must be a phone number (digits, spaces, + - ( ) . /)';
    row.phone = phone || null;
  }
  if (input.is_active !== undefined) row.is_active = Boolean(input.is_active);
  else if (creating) row.is_active = true;
  if (Object.keys(fields).length) throw new ValidationError(fields);
  return row;
}

function duplicateCode(error: unknown): unknown {
  // The unique key settles races between two people creating the same code; no read-then-write check.
  if (isDuplicateKey(error)) return new ConflictError('Another shop of this company has this code', { code: 'is already used by another shop' });
  return error;
}

function clampLimit(limit: number | undefined): number {
  const n = Number(limit ?? 50);
  return Number.isFinite(n) ? Math.min(Math.max(Math.trunc(n), 1), 200) : 50;
}

export function toShop(row: any): Shop {
  return {
    id: Number(row.id),
    company_id: Number(row.company_id),
    code: String(row.code),
    name: String(row.name),
    address: row.address ?? null,
    phone: row.phone ?? null,
    is_active: Boolean(row.is_active),
    created_at: toDate(row.created_at),
    updated_at: toDate(row.updated_at),
  };
}
