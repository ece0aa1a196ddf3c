import type { ModuleContext, PageResult } from '../../../core/modules/module-api';
import type { RequestContext } from '../../../core/security/request-context';
import { BASE, BASE_PERMISSIONS } from '../identifiers';
import type { AuditTrail } from '../audit/audit-trail';
import { attempt, checkbox, FormBody, optionalText, requireId, text } from '../forms/form-input';
import type { Shop, ShopService } from './shop';
import { SHOPS_TABLE } from './shop-service';

/** Settings → Shops: list, create, edit. */
export function registerShopPages(m: ModuleContext, shops: ShopService): void {
  m.routes.page({
    method: 'GET',
    path: '/admin/shops',
    permission: BASE_PERMISSIONS.shopRead,
    async handler(ctx, { query }) {
      const q = typeof query.q === 'string' ? query.q : '';
      const after = typeof query.after === 'string' && query.after ? query.after : null;
      const page = await shops.page(ctx, { q, after, limit: 50 });
      return {
        view: 'base/shops-list',
        title: 'Shops',
        data: { shops: page.data, next_cursor: page.next_cursor, q, query, multiCompany: ctx.companyIds.length > 1 },
      };
    },
  });

  m.routes.page({
    method: 'GET',
    path: '/admin/shops/new',
    permission: BASE_PERMISSIONS.shopManage,
    async handler(ctx) {
      return shopForm(ctx, null, { company_id: ctx.companyId, is_active: true });
    },
  });

  m.routes.page({
    method: 'POST',
    path: '/admin/shops',
    permission: BASE_PERMISSIONS.shopManage,
    async handler(ctx, { body }) {
      const values = formValues(body);
      const result = await attempt(() => shops.create(ctx, { ...values, company_id: Number(text(body, 'company_id')) || undefined }));
      if (!result.ok) return shopForm(ctx, null, { ...values, company_id: text(body, 'company_id') }, result);
      return { redirect: `/admin/shops/${result.value.id}`, flash: { type: 'success', message: `Shop ${result.value.name} created.` } };
    },
  });

  m.routes.page({
    method: 'GET',
    path: '/admin/shops/:id',
    permission: BASE_PERMISSIONS.shopRead,
    async handler(ctx, { params }) {
      const shop = await shops.get(ctx, requireId(params.id));
      return shopForm(ctx, shop, shop);
    },
  });

  m.routes.page({
    method: 'POST',
    path: '/admin/shops/:id',
    permission: BASE_PERMISSIONS.shopManage,
    async handler(ctx, { params, body }) {
      const shop = await shops.get(ctx, requireId(params.id));
      const values = formValues(body);
      const result = await attempt(() => shops.update(ctx, shop.id, values));
      if (!result.ok) return shopForm(ctx, shop, values, result);
      return { redirect: `/admin/shops/${shop.id}`, flash: { type: 'success', message: `Shop ${result.value.name} saved.` } };
    },
  });
}

function formValues(body: FormBody) {
  return {
    code: text(body, 'code'),
    name: text(body, 'name'),
    address: optionalText(body, 'address'),
    phone: optionalText(body, 'phone'),
    is_active: checkbox(body, 'is_active'),
  };
}

async function shopForm(
  ctx: RequestContext,
  shop: Shop | null,
  values: object,
  problem?: { errors: Record<string, string>; message: string; status: number },
): Promise<PageResult> {
  const trail = ctx.container.get<AuditTrail>(BASE.AuditTrail);
  const history = shop && trail.canRead(ctx) ? await trail.forRecord(ctx, SHOPS_TABLE, shop.id) : null;
  return {
    view: 'base/shop-form',
    title: shop ? `Shop ${shop.name}` : 'New shop',
    status: problem?.status,
    data: {
      shop,
      values,
      errors: problem?.errors ?? {},
      formError: problem ? problem.message : null,
      history,
      multiCompany: ctx.companyIds.length > 1,
    },
  };
}
