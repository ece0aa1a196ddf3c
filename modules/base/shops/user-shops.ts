import { CORE, CORE_PERMISSIONS, idParams, intParam, ValidationError, type ModuleContext, type RequestContext, type ScopedDb, type UserService } from 'tessera/core';

const TABLE = 'base_user_shops';
const SHOPS = 'base_shops';

/**
 * The shops a user works at, per company (`BASE.UserShops`). A module that limits people to their
 * shops asks `shopsOf`: an empty list means the user was given no shop, so is not limited by base.
 */
export interface UserShopService {
  /**
   * The ids of the shops of `companyId` the user works at, ascending. Takes the scoped database, so
   * a job (an import, a report) asks as well as a request does.
   */
  shopsOf(db: ScopedDb, userId: number | null, companyId: number): Promise<number[]>;
  /** Replaces the user's shops in `companyId` (needs `core.user.manage`); every shop must be the company's. */
  setShops(ctx: RequestContext, userId: number, shopIds: number[], companyId?: number): Promise<number[]>;
}

export class DefaultUserShops implements UserShopService {
  async shopsOf(db: ScopedDb, userId: number | null, companyId: number): Promise<number[]> {
    if (userId == null) return [];
    const rows = await db.queryCompany(companyId, TABLE).where({ user_id: userId }).orderBy('shop_id').select('shop_id');
    return rows.map((r: { shop_id: number | string }) => Number(r.shop_id));
  }

  async setShops(ctx: RequestContext, userId: number, shopIds: number[], companyId = ctx.companyId): Promise<number[]> {
    ctx.require(CORE_PERMISSIONS.userManage);
    // The user must share a company with the caller: the user service refuses anyone else (404).
    await ctx.container.get<UserService>(CORE.Users).get(ctx, userId);
    const wanted = [...new Set(shopIds.map(Number))].sort((a, b) => a - b);
    const found = wanted.length ? (await ctx.db.queryCompany(companyId, SHOPS).whereIn('id', wanted).select('id')).map((r: { id: number }) => Number(r.id)) : [];
    const missing = wanted.filter((id) => !found.includes(id));
    if (missing.length) throw new ValidationError({ shop_ids: `shops ${missing.join(', ')} are not shops of company ${companyId}` });
    await ctx.db.transaction(async (db) => {
      const knex = db.unscoped('the user\'s shop rows of one company the caller may write (checked above)');
      await knex(TABLE).where({ company_id: companyId, user_id: userId }).delete();
      if (wanted.length) await knex(TABLE).insert(wanted.map((shop_id) => ({ company_id: companyId, user_id: userId, shop_id, created_at: new Date() })));
      await db.audit({ table: 'core_users', recordId: userId, action: 'update', changes: { shop_ids: { to: wanted } }, companyId });
    });
    return wanted;
  }
}

const body = {
  type: 'object', required: ['shop_ids'], additionalProperties: false,
  properties: { shop_ids: { type: 'array', maxItems: 200, uniqueItems: true, items: { type: 'integer', minimum: 1 }, description: 'Empty: the user is not limited to shops.' } },
};

/** `GET/PUT /api/v1/base/users/{id}/shops`: the shops a user works at in the current company. */
export function registerUserShops(m: ModuleContext, service: UserShopService): void {
  m.routes.api({
    method: 'GET', path: '/users/{id}/shops', permission: CORE_PERMISSIONS.userRead, summary: "The shops a user works at in the current company", tags: ['Users'],
    params: idParams,
    handler: async (ctx, { params }) => {
      await ctx.container.get<UserService>(CORE.Users).get(ctx, intParam(params.id));
      return { shop_ids: await service.shopsOf(ctx.db, intParam(params.id), ctx.companyId) };
    },
  });
  m.routes.api({
    method: 'PUT', path: '/users/{id}/shops', permission: CORE_PERMISSIONS.userManage, summary: "Set the shops a user works at in the current company (modules may limit the user to them)", tags: ['Users'],
    params: idParams, body,
    handler: async (ctx, { params, body: input }) => ({ shop_ids: await service.setShops(ctx, intParam(params.id), input.shop_ids) }),
  });
}
