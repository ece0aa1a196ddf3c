import { type RequestContext, ValidationError } from 'tessera/core';

/**
 * The part of base's ShopService crm relies on, declared here so crm compiles and runs against any
 * base that honours it (crm never reads base's tables).
 */
export interface Shop {
  id: number;
  company_id: number;
  code: string;
  name: string;
}

export interface ShopDirectory {
  list(ctx: RequestContext): Promise<Shop[]>;
  get(ctx: RequestContext, id: number): Promise<Shop>;
  findByCodeOrName(ctx: RequestContext, text: string): Promise<Shop | undefined>;
}

export const BASE_SHOP_SERVICE = Symbol.for('base.ShopService');

export function shopDirectory(ctx: RequestContext): ShopDirectory {
  if (!ctx.container.isBound(BASE_SHOP_SERVICE)) throw new Error('crm needs base.ShopService, which is not bound');
  return ctx.container.get<ShopDirectory>(BASE_SHOP_SERVICE);
}

/** The visible shops of the caller's companies, keyed by id. */
export async function shopsById(ctx: RequestContext): Promise<Map<number, Shop>> {
  const shops = await shopDirectory(ctx).list(ctx);
  return new Map(shops.map((s) => [Number(s.id), { ...s, id: Number(s.id), company_id: Number(s.company_id) }]));
}

/**
 * Ensures each id is a shop the caller sees, in `companyId`. A shop of another company is reported
 * exactly like a missing one: its existence is not the caller's business.
 */
export async function assertShops(ctx: RequestContext, ids: number[], companyId: number, field = 'shop_id'): Promise<Map<number, Shop>> {
  const shops = await shopsById(ctx);
  for (const id of ids) {
    const shop = shops.get(Number(id));
    if (!shop || shop.company_id !== Number(companyId)) throw new ValidationError({ [field]: `shop ${id} does not exist` });
  }
  return shops;
}
