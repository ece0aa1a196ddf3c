import { EntityService, NotFoundError, ValidationError, type EntityPageOptions, type EntityPatch, type Page, type RequestContext } from 'tessera/core';
import { cardEntity, type Card } from './card-entity';
import { managerShops, mayReachShop } from './shop-scope';

type Options = EntityPageOptions;

/**
 * The cards' entity service, limited for a manager to the cards of their shops (`shop-scope.ts`):
 * another shop's card reads as missing (404), lists hold their shops' cards only, all of them at once
 * (`shop_id IN (theirs)`); `shop_id` narrows to one of theirs, another shop lists nothing. A user of
 * no shop and without `loyalty.card.all_shops` lists nothing.
 */
export class CardService extends EntityService<typeof cardEntity, Card> {
  private async limited(ctx: RequestContext, options: Options): Promise<Options | null> {
    const shops = await managerShops(ctx);
    if (shops === null) return options;
    if (!shops.length) return null;
    const asked = options.filters?.shop_id;
    if (Array.isArray(asked)) {
      // A set asked for (code, not a query string): the part of it that is theirs.
      const theirs = asked.map(Number).filter((id) => shops.includes(id));
      return theirs.length ? { ...options, filters: { ...options.filters, shop_id: theirs } } : null;
    }
    if (asked !== undefined && asked !== null && asked !== '') return shops.includes(Number(asked)) ? options : null;
    return { ...options, filters: { ...options.filters, shop_id: shops } };
  }

  override async page(ctx: RequestContext, options: Options = {}): Promise<Page<Card>> {
    const scoped = await this.limited(ctx, options);
    return scoped ? super.page(ctx, scoped) : { data: [], next_cursor: null };
  }

  override async list(ctx: RequestContext, options: Omit<Options, 'after'> = {}): Promise<Card[]> {
    const scoped = await this.limited(ctx, options);
    return scoped ? super.list(ctx, scoped) : [];
  }

  override async count(ctx: RequestContext, options: Pick<Options, 'q' | 'filters' | 'companyId'> = {}, bound?: { bound?: number }) {
    const scoped = await this.limited(ctx, options);
    return scoped ? super.count(ctx, scoped, bound) : { count: 0, exact: true };
  }

  override async find(ctx: RequestContext, id: number): Promise<Card | undefined> {
    const row = await super.find(ctx, id);
    return row && (await mayReachShop(ctx, row.shop_id)) ? row : undefined;
  }

  override async getMany(ctx: RequestContext, ids: number[]): Promise<Map<number, Card>> {
    const rows = await super.getMany(ctx, ids);
    for (const [id, row] of rows) if (!(await mayReachShop(ctx, row.shop_id))) rows.delete(id);
    return rows;
  }

  override async update(ctx: RequestContext, id: number, patch: EntityPatch<typeof cardEntity>): Promise<Card> {
    const shop = (patch as { shop_id?: unknown }).shop_id;
    if (shop !== undefined && !(await mayReachShop(ctx, shop))) throw new ValidationError({ shop_id: 'is not one of your shops' });
    return super.update(ctx, id, patch);
  }

  /** get, update and remove read through here: a card of another shop is not found. */
  protected override async getUnchecked(ctx: RequestContext, id: number): Promise<Card> {
    const row = await super.getUnchecked(ctx, id);
    if (!(await mayReachShop(ctx, row.shop_id))) throw new NotFoundError(this.entity.label.one);
    return row;
  }
}
