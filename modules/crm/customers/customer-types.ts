import type { CustomValues } from './custom-fields';
import type { PlainCriteria, PlainInput, PlainValues } from './customer-entity';

/** A customer as services and the API return it (snake_case, as on the wire); plain fields as declared. */
export interface Customer extends PlainValues {
  id: number;
  company_id: number;
  code: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  email: string | null;
  birthdate: string | null;
  shop_id: number;
  parent_id: number | null;
  tags: string[];
  custom_fields: CustomValues;
  created_at: string | null;
  updated_at: string | null;
  created_by: number | null;
  updated_by: number | null;
  /** Present only for callers holding `crm.customer.login_details`. */
  login?: CustomerLogin | null;
}

/** What a message needs to reach a customer (CustomerService.contact). */
export type CustomerContact = Pick<Customer, 'id' | 'company_id' | 'code' | 'first_name' | 'last_name' | 'phone' | 'email' | 'shop_id'>;

export interface CustomerLogin {
  username: string;
  has_password: boolean;
  last_login_at: string | null;
}

/** What a caller may send to create or change a customer; every field optional for a patch. */
export interface CustomerInput extends PlainInput {
  code?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
  email?: string | null;
  birthdate?: string | null;
  shop_id?: number | string | null;
  parent_id?: number | string | null;
  tags?: string[] | string | null;
  custom_fields?: Record<string, unknown> | null;
  login?: { username?: string | null; password?: string | null } | null;
}

/** The list page's and the API's criteria; also what a by-customer group is built from. */
export interface CustomerCriteria extends PlainCriteria {
  q?: string;
  shop_ids?: number[];
  group_id?: number;
  tag?: string;
  created_from?: string;
  created_to?: string;
  birth_month?: number;
  parent_id?: number;
  /** Only these customers (ticked in the list); never read from a query string. */
  ids?: number[];
}

export type CustomerSort = 'name' | '-name' | 'code' | '-code' | 'created' | '-created';
export const CUSTOMER_SORTS: CustomerSort[] = ['name', '-name', 'code', '-code', 'created', '-created'];

export type { Page } from 'tessera/core';

/** The columns of crm_customers, as stored (plain fields as declared). */
export interface CustomerRow extends PlainValues {
  id: number;
  company_id: number;
  shop_id: number;
  code: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  email: string | null;
  birthdate: string | null;
  birth_month: number | null;
  parent_id: number | null;
  custom_fields: string | null;
  name_norm: string;
  name_rev_norm: string;
  code_norm: string;
  phone_norm: string | null;
  email_norm: string | null;
  created_at: unknown;
  updated_at: unknown;
  created_by: number | null;
  updated_by: number | null;
}
