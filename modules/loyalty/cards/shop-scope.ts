import { ForbiddenError, NotFoundError, type RequestContext } from 'tessera/core';
import { BASE, type ShopService, type UserShopService } from '../../base/api';
import { LOYALTY_PERMISSIONS as P } from '../api';

const CARDS = 'loyalty_cards';
const known = new WeakMap<RequestContext, Promise<number[] | null>>();

/**
 * Deny by default: reaching every shop's cards is a permission a user holds (`loyalty.card.all_shops`:
 * owners, administrators, the system and its jobs). Anyone else reaches the cards of the shops base
 * gives them (`BASE.UserShops`), every one of them at once, and none when base gives none: a manager
 * whose shops were never set sees no card. A card belongs to the shop it was issued at, which is its
 * customer's shop unless the issuer named another of theirs. `null` means unlimited. Asked once per request.
 */
export function managerShops(ctx: RequestContext): Promise<number[] | null> {
  let shops = known.get(ctx);
  if (!shops) {
    const userId = ctx.principal.userId ?? null;
    shops = ctx.can(P.cardAllShops)
      ? Promise.resolve(null)
      : userId == null
        ? Promise.resolve([])
        : ctx.container.get<UserShopService>(BASE.UserShops).shopsOf(ctx.db, userId, ctx.companyId);
    known.set(ctx, shops);
  }
  return shops;
}

/**
 * The shops a caller's list or report covers: the one they picked (which must be one of theirs, else
 * 403 naming `shop_id`), else all of theirs; `null` for every shop.
 */
export async function shopsShown(ctx: RequestContext, asked: number | null): Promise<number[] | null> {
  const mine = await managerShops(ctx);
  if (asked === null) return mine;
  if (mine !== null && !mine.includes(asked)) throw ForbiddenError.because(`shop ${asked} is not one of your shops`, { shop_id: 'is not one of your shops' });
  return [asked];
}

/** Whether the caller may reach a card of `shopId` (a card of no shop: only callers of every shop). */
export async function mayReachShop(ctx: RequestContext, shopId: unknown): Promise<boolean> {
  const shops = await managerShops(ctx);
  return shops === null || (shopId != null && shops.includes(Number(shopId)));
}

/** The card if the caller may reach it; else 404, as for a card that does not exist: nothing leaks. */
export async function reachableCard(ctx: RequestContext, cardId: number): Promise<{ id: number; shop_id: number | null }> {
  const card = await ctx.db.query(CARDS).where(`${CARDS}.id`, cardId).first('id', 'shop_id');
  if (!card || !(await mayReachShop(ctx, card.shop_id))) throw new NotFoundError('Card');
  return { id: Number(card.id), shop_id: card.shop_id == null ? null : Number(card.shop_id) };
}

/**
 * The shop a transaction is recorded at: the one the caller named, which must be one of theirs
 * (403 naming `shop_id`), else the card's shop for a limited manager, else none.
 */
export async function transactionShop(ctx: RequestContext, card: { shop_id: number | null }, named: number | null | undefined): Promise<number | null> {
  const shops = await managerShops(ctx);
  if (named != null) {
    if (shops !== null && !shops.includes(Number(named))) throw ForbiddenError.because(`shop ${named} is not one of your shops`, { shop_id: 'is not one of your shops' });
    return Number(named);
  }
  return shops === null ? null : card.shop_id;
}

/**
 * A page's shop picker: the caller's shops (every shop for who holds `loyalty.card.all_shops`, when they may
 * list base's shops), by name, the picked one selected. Null when they cannot be listed: the page asks for an id.
 */
export async function shopChoices(ctx: RequestContext, picked: number | null): Promise<Array<{ value: string; label: string; selected: boolean }> | null> {
  const mine = await managerShops(ctx);
  const shops = ctx.container.get<ShopService>(BASE.ShopService);
  const rows = mine === null
    ? await shops.list(ctx, { limit: 500 }).catch(() => null)
    : [...(await shops.getMany(ctx, mine)).values()];
  if (!rows) return null;
  return rows.map((s: { id: number; name: unknown }) => ({ value: String(s.id), label: String(s.name), selected: Number(s.id) === picked }));
}
