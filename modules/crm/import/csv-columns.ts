import { mapImportHeader, type ImportColumn } from 'tessera/core';
import type { CustomFieldDef } from '../customers/custom-fields';
import { plainFields, type PlainKey } from '../customers/customer-entity';

/**
 * The columns of the customer CSV, in template order. Export writes exactly these, so an exported file
 * imports back unchanged. Extra columns are the company's custom fields, by key.
 */
export const STANDARD_COLUMNS = [
  'code',
  'first_name',
  'last_name',
  'phone',
  'email',
  'birthdate',
  'shop',
  'tags',
  // The customer's plain fields, under their declared CSV headers.
  ...(plainFields.filter((f) => f.csv).map((f) => f.csv!.header) as PlainKey[]),
  'parent_code',
] as const;

export type StandardColumn = (typeof STANDARD_COLUMNS)[number];

export const REQUIRED_COLUMNS: StandardColumn[] = ['last_name', 'shop'];

/** Headers as people write them: "First name", "E-mail", "Shop code" all find their column. */
const ALIASES: Record<string, StandardColumn> = {
  customer_code: 'code',
  firstname: 'first_name',
  first: 'first_name',
  lastname: 'last_name',
  last: 'last_name',
  surname: 'last_name',
  telephone: 'phone',
  mobile: 'phone',
  phone_number: 'phone',
  e_mail: 'email',
  mail: 'email',
  date_of_birth: 'birthdate',
  birthday: 'birthdate',
  birth_date: 'birthdate',
  dob: 'birthdate',
  shop_code: 'shop',
  shop_name: 'shop',
  store: 'shop',
  tag: 'tags',
  route: 'delivery_route',
  main_customer_code: 'parent_code',
  parent: 'parent_code',
};

export interface ColumnMap {
  /** Index of each standard column present in the file. */
  standard: Partial<Record<StandardColumn, number>>;
  /** Index of each custom field column present, by field key. */
  custom: Record<string, number>;
}

/** The columns as the import frame takes them: the standard ones with their aliases, then the company's custom fields. */
export function importColumns(customFields: CustomFieldDef[]): ImportColumn[] {
  const aliases = new Map<string, string[]>();
  for (const [alias, column] of Object.entries(ALIASES)) aliases.set(column, [...(aliases.get(column) ?? []), alias]);
  return [
    ...STANDARD_COLUMNS.map((key) => ({ key, required: REQUIRED_COLUMNS.includes(key), aliases: aliases.get(key) ?? [] })),
    ...customFields.map((def) => ({ key: `${CUSTOM}${def.key}`, header: def.key, label: def.label })),
  ];
}

/** Custom fields' column keys in the frame, apart from the standard ones; the template writes the bare key. */
export const CUSTOM = 'custom:';

/** Splits the frame's column indexes into standard and custom ones. */
export function columnMap(index: Record<string, number>): ColumnMap {
  const map: ColumnMap = { standard: {}, custom: {} };
  for (const [key, i] of Object.entries(index)) {
    if (key.startsWith(CUSTOM)) map.custom[key.slice(CUSTOM.length)] = i;
    else map.standard[key as StandardColumn] = i;
  }
  return map;
}

/** Maps a header row; unknown or repeated columns are errors so no data is silently dropped. */
export function mapHeader(header: string[], customFields: CustomFieldDef[]): { map: ColumnMap; errors: string[] } {
  const { index, errors } = mapImportHeader(header, importColumns(customFields), 'customer');
  return { map: columnMap(index), errors };
}

export function templateHeader(customFields: CustomFieldDef[]): string[] {
  return [...STANDARD_COLUMNS, ...customFields.map((f) => f.key)];
}
