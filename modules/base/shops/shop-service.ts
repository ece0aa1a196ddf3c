import { EntityService, type RequestContext } from 'tessera/core';
import { shopEntity, type Shop } from './shop-entity';

/**
 * Shops of the companies the caller may see, as other modules use them (`BASE.ShopService`): the
 * entity's service (`list` every visible shop by name, `page`, `get`, `create`, `update`) plus the
 * lookup imports need.
 */
export class ShopService extends EntityService<typeof shopEntity> {
  /** The shop whose code, else whose name, equals `text` ignoring case, in `companyId` (default: the current company). */
  async findByCodeOrName(ctx: RequestContext, text: string, companyId = ctx.companyId): Promise<Shop | undefined> {
    const needle = String(text ?? '').trim().toLowerCase();
    if (!needle) return undefined;
    const inCompany = () => ctx.db.query(this.table).where('company_id', companyId);
    const byCode = await inCompany().whereRaw('lower(code) = ?', [needle]).first();
    if (byCode) return this.toRow(byCode);
    // Names are not unique; the oldest shop of that name wins, which keeps imports deterministic.
    const byName = await inCompany().whereRaw('lower(name) = ?', [needle]).orderBy('id').first();
    return byName ? this.toRow(byName) : undefined;
  }
}
