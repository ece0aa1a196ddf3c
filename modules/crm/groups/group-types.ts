import type { CustomerCriteria } from '../customers/customer-types';

export type GroupType = 'shop' | 'customer';

export interface CustomerGroup {
  id: number;
  company_id: number;
  name: string;
  type: GroupType;
  description: string;
  /** The shops of a by-shop group; empty for a by-customer group. */
  shop_ids: number[];
  created_at: string | null;
  updated_at: string | null;
}

/**
 * Create or change a group. A by-customer group takes `customer_ids` and/or a `search` (the list's
 * criteria) whose every result is added; both add to the current members.
 */
export interface GroupInput {
  name?: string;
  type?: GroupType;
  description?: string | null;
  shop_ids?: number[];
  customer_ids?: number[];
  search?: CustomerCriteria & Record<string, unknown>;
}

export interface GroupMember {
  id: number;
  code: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  email: string | null;
  shop_id: number;
}
