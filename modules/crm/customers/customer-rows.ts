import { toDate } from '../../../core/db/schema-helpers';
import type { Customer, CustomerLogin, CustomerRow } from './customer-types';
import type { CustomValues } from './custom-fields';
import { plainValuesOf } from './customer-entity';

/** A stored row to the API shape; search columns stay internal. */
export function toCustomer(row: CustomerRow, tags: string[] = [], login?: CustomerLogin | null): Customer {
  const customer: Customer = {
    id: Number(row.id),
    company_id: Number(row.company_id),
    code: row.code,
    first_name: row.first_name ?? '',
    last_name: row.last_name,
    phone: row.phone ?? null,
    email: row.email ?? null,
    birthdate: dateOnly(row.birthdate),
    shop_id: Number(row.shop_id),
    ...plainValuesOf(row),
    parent_id: row.parent_id == null ? null : Number(row.parent_id),
    tags,
    custom_fields: parseCustom(row.custom_fields),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    created_by: row.created_by == null ? null : Number(row.created_by),
    updated_by: row.updated_by == null ? null : Number(row.updated_by),
  };
  if (login !== undefined) customer.login = login;
  return customer;
}

export function parseCustom(value: unknown): CustomValues {
  if (!value) return {};
  if (typeof value === 'object') return value as CustomValues;
  try {
    const parsed = JSON.parse(String(value));
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

function iso(value: unknown): string | null {
  const d = toDate(value);
  return d ? d.toISOString() : null;
}

/** DATE columns come back as 'YYYY-MM-DD' (MySQL with dateStrings, SQLite as stored). */
function dateOnly(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}

export function fullName(c: { first_name?: string | null; last_name?: string | null }): string {
  return [c.first_name, c.last_name].filter(Boolean).join(' ');
}
