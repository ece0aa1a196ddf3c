import type { ModuleContext } from '../../../core/modules/module-api';
import { idParams, intParam, iso } from '../api/common-schemas';
import { BASE_PERMISSIONS } from '../identifiers';
import type { Shop, ShopService } from './shop';
import { shopCreateBody, shopListQuery, shopPage, shopPatchBody, shopSchema } from './shop-schemas';

const tags = ['Shops'];

/** `/api/v1/base/shops`: list, create, read and edit the shops of the caller's companies. */
export function registerShopApi(m: ModuleContext, shops: ShopService): void {
  m.routes.api({
    method: 'GET',
    path: '/shops',
    permission: BASE_PERMISSIONS.shopRead,
    summary: 'List shops',
    tags,
    query: shopListQuery,
    response: shopPage,
    async handler(ctx, { query }) {
      const page = await shops.page(ctx, {
        q: query.q,
        after: query.after,
        limit: query.limit === undefined ? undefined : intParam(query.limit),
        active: query.active === undefined ? undefined : query.active === true || query.active === 'true',
      });
      return { data: page.data.map(shopJson), next_cursor: page.next_cursor };
    },
  });

  m.routes.api({
    method: 'POST',
    path: '/shops',
    permission: BASE_PERMISSIONS.shopManage,
    summary: 'Create a shop',
    tags,
    body: shopCreateBody,
    response: shopSchema,
    status: 201,
    async handler(ctx, { body }) {
      return shopJson(await shops.create(ctx, body));
    },
  });

  m.routes.api({
    method: 'GET',
    path: '/shops/{id}',
    permission: BASE_PERMISSIONS.shopRead,
    summary: 'Get a shop',
    tags,
    params: idParams,
    response: shopSchema,
    async handler(ctx, { params }) {
      return shopJson(await shops.get(ctx, intParam(params.id)));
    },
  });

  m.routes.api({
    method: 'PATCH',
    path: '/shops/{id}',
    permission: BASE_PERMISSIONS.shopManage,
    summary: 'Edit a shop',
    tags,
    params: idParams,
    body: shopPatchBody,
    response: shopSchema,
    async handler(ctx, { params, body }) {
      return shopJson(await shops.update(ctx, intParam(params.id), body));
    },
  });
}

export function shopJson(shop: Shop) {
  return { ...shop, created_at: iso(shop.created_at), updated_at: iso(shop.updated_at) };
}
