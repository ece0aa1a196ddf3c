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

export function headerKey(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export interface ColumnMap {
  /** Index of each standard column present in the file. */
  standard: Partial<Record<StandardColumn, number>>;
  /** Index of each custom field column present, by field key. */
  custom: Record<string, number>;
}

/** Maps a header row; unknown or repeated columns are errors so no data is silently dropped. */
export function mapHeader(header: string[], customFields: CustomFieldDef[]): { map: ColumnMap; errors: string[] } {
  const errors: string[] = [];
  const map: ColumnMap = { standard: {}, custom: {} };
  const customByKey = new Map<string, CustomFieldDef>();
  for (const def of customFields) {
    customByKey.set(def.key, def);
    customByKey.set(headerKey(def.label), def);
  }
  const seen = new Set<string>();
  header.forEach((raw, index) => {
    const key = headerKey(raw);
    if (!key) {
      if (raw.trim() !== '') errors.push(`column ${index + 1} ("${raw}") is not a known column`);
      return;
    }
    const standard = (STANDARD_COLUMNS as readonly string[]).includes(key) ? (key as StandardColumn) : ALIASES[key];
    const target = standard ?? (customByKey.get(key) ? `custom:${customByKey.get(key)!.key}` : undefined);
    if (!target) {
      errors.push(`column "${raw}" is not a customer field${customFields.length ? ' nor a custom field of this company' : ''}`);
      return;
    }
    if (seen.has(target)) {
      errors.push(`column "${raw}" appears twice`);
      return;
    }
    seen.add(target);
    if (standard) map.standard[standard] = index;
    else map.custom[target.slice('custom:'.length)] = index;
  });
  for (const required of REQUIRED_COLUMNS) {
    if (map.standard[required] === undefined && !errors.length) errors.push(`column "${required}" is required`);
  }
  return { map, errors };
}

export function templateHeader(customFields: CustomFieldDef[]): string[] {
  return [...STANDARD_COLUMNS, ...customFields.map((f) => f.key)];
}
