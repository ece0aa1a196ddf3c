import type { RequestContext } from '../../../core/security/request-context';
import type { Page } from '../../../core/security/services';

export interface Shop {
  id: number;
  company_id: number;
  code: string;
  name: string;
  address: string | null;
  phone: string | null;
  is_active: boolean;
  created_at: Date | null;
  updated_at: Date | null;
}

export interface ShopInput {
  code: string;
  name: string;
  address?: string | null;
  phone?: string | null;
  is_active?: boolean;
  /** One of the caller's companies; the caller's current company when left out. */
  company_id?: number;
}

export type ShopPatch = Partial<Omit<ShopInput, 'company_id'>>;

export interface ShopPageOptions {
  /** Prefix of the code or the name. */
  q?: string;
  after?: string | null;
  limit?: number;
  active?: boolean;
}

/**
 * Shops of the companies the caller may see. Reads need no permission, because every module lets
 * people pick a shop (a customer's home shop, say); writes need `base.shop.manage`.
 */
export interface ShopService {
  /** Every visible shop, by name; small enough per company to load whole for pickers. */
  list(ctx: RequestContext): Promise<Shop[]>;
  /** Keyset-paginated listing for admin pages and the API. */
  page(ctx: RequestContext, options?: ShopPageOptions): Promise<Page<Shop>>;
  /** Throws NotFoundError for a shop that does not exist or that the caller may not see. */
  get(ctx: RequestContext, id: number): Promise<Shop>;
  /** The shop whose code, else whose name, equals `text` ignoring case, in `companyId` (default: the current company). */
  findByCodeOrName(ctx: RequestContext, text: string, companyId?: number): Promise<Shop | undefined>;
  create(ctx: RequestContext, input: ShopInput): Promise<Shop>;
  update(ctx: RequestContext, id: number, patch: ShopPatch): Promise<Shop>;
}
