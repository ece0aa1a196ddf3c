import type { CustomFieldDef } from '../customers/custom-fields';
import type { CleanCustomer } from '../customers/customer-validation';
import { validateCustomer } from '../customers/customer-validation';
import { plainFields } from '../customers/customer-entity';

/** The customer's plain fields that have a CSV column, read once rather than per row. */
const CSV_PLAIN = plainFields.filter((f) => f.csv).map((f) => ({ key: f.key, header: f.csv!.header as keyof ColumnMap['standard'] }));
import type { PhoneCountry } from '../customers/phone-numbers';
import { normalizeEmail, normalizePhone, normalizeText } from '../customers/customer-normalize';
import type { Shop } from '../shops';
import type { RowError } from 'tessera/core';
import type { ColumnMap } from './csv-columns';

export type MatchBy = 'auto' | 'code' | 'email' | 'phone';
export const MATCH_KEYS: MatchBy[] = ['auto', 'code', 'email', 'phone'];

export type { RowError };

export interface ParsedRow {
  line: number;
  value: CleanCustomer & { shop_id: number };
  parentCode: string | null;
  /** The field the row is matched on and its normalized value, e.g. ['email', 'ann@x.org']. */
  key: { field: 'code' | 'email' | 'phone'; value: string };
}

/** Looks shops up the way people write them in a file: by code first, then by name, any case. */
export class ShopLookup {
  private readonly byCode = new Map<string, Shop>();
  private readonly byName = new Map<string, Shop>();

  constructor(shops: Shop[]) {
    for (const shop of shops) {
      this.byCode.set(normalizeText(shop.code), shop);
      if (!this.byName.has(normalizeText(shop.name))) this.byName.set(normalizeText(shop.name), shop);
    }
  }

  find(text: string): Shop | undefined {
    const key = normalizeText(text);
    return this.byCode.get(key) ?? this.byName.get(key);
  }
}

/**
 * Turns one CSV record into a customer's clean values, or the reasons it cannot be imported, each
 * with the record's line and the field at fault. Pure: the database questions (does the code exist)
 * come after.
 */
export function parseRow(
  record: string[],
  line: number,
  map: ColumnMap,
  context: { shops: ShopLookup; customFields: CustomFieldDef[]; matchBy: MatchBy; today?: string; phoneCountry?: PhoneCountry },
): { row?: ParsedRow; errors: RowError[] } {
  const cell = (column: keyof ColumnMap['standard']): string | undefined => {
    const index = map.standard[column];
    return index === undefined ? undefined : (record[index] ?? '').trim();
  };
  const errors: RowError[] = [];
  const shopText = cell('shop') ?? '';
  const shop = shopText ? context.shops.find(shopText) : undefined;
  if (!shopText) errors.push({ line, field: 'shop', reason: 'is required' });
  else if (!shop) errors.push({ line, field: 'shop', reason: `no shop has the code or name "${shopText}"` });

  const custom: Record<string, unknown> = {};
  for (const [key, index] of Object.entries(map.custom)) custom[key] = (record[index] ?? '').trim();
  // Custom columns missing from the file are left alone on update; required ones are checked on create.
  const input = {
    code: cell('code'),
    first_name: cell('first_name'),
    last_name: cell('last_name'),
    phone: cell('phone'),
    email: cell('email'),
    birthdate: cell('birthdate'),
    tags: cell('tags'),
    ...Object.fromEntries(CSV_PLAIN.map((f) => [f.key, cell(f.header)])),
    custom_fields: custom,
  };
  const present = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const defsInFile = context.customFields.filter((d) => d.key in custom);
  const { value, errors: fieldErrors } = validateCustomer(present, { partial: true, customFields: defsInFile, today: context.today, phoneCountry: context.phoneCountry });
  // A patch may not empty the code, but an import row without one asks for a generated code.
  if (fieldErrors.code === 'cannot be emptied') delete fieldErrors.code;
  if (value.last_name === undefined && !fieldErrors.last_name) fieldErrors.last_name = 'is required';
  for (const [field, reason] of Object.entries(fieldErrors)) {
    errors.push({ line, field: field.startsWith('custom_fields.') ? field.slice('custom_fields.'.length) : field, reason });
  }

  const key = matchKey(value, context.matchBy);
  if (typeof key === 'string') errors.push({ line, field: context.matchBy === 'auto' ? 'code' : context.matchBy, reason: key });
  if (errors.length) return { errors };
  const parentCode = cell('parent_code') || null;
  return { row: { line, value: { ...value, shop_id: shop!.id }, parentCode, key: key as ParsedRow['key'] }, errors };
}

/**
 * The key a row is matched on. `auto`: its code if it has one, else its e-mail, else its phone; a row
 * with none of them could never be found again, so re-importing it would duplicate it: refused.
 */
export function matchKey(value: CleanCustomer, matchBy: MatchBy): ParsedRow['key'] | string {
  const code = value.code ? normalizeText(value.code) : '';
  const email = value.email ? normalizeEmail(value.email) : '';
  const phone = value.phone ? normalizePhone(value.phone) : '';
  switch (matchBy) {
    case 'code':
      return code ? { field: 'code', value: code } : 'is required when matching by code';
    case 'email':
      return email ? { field: 'email', value: email } : 'is required when matching by e-mail';
    case 'phone':
      return phone ? { field: 'phone', value: phone } : 'is required when matching by phone';
    default:
      if (code) return { field: 'code', value: code };
      if (email) return { field: 'email', value: email };
      if (phone) return { field: 'phone', value: phone };
      return 'a code, e-mail or phone is required so the row can be matched when the file is imported again';
  }
}
