import { ValidationError } from '../../../core/http/errors';
import { parseId } from '../../../core/http/id-schemas';
import { isCalendarDate } from './custom-fields';
import { plainFilters } from './customer-entity';
import { CUSTOMER_SORTS, type CustomerCriteria, type CustomerSort } from './customer-types';

/**
 * The list's criteria from a query string (page or API) or a JSON body (a group's `search`): one parser
 * so the list, the export and "add these results to a group" read the same words the same way.
 */
export function parseCriteria(raw: Record<string, unknown>): CustomerCriteria {
  const errors: Record<string, string> = {};
  const c: CustomerCriteria = {};
  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    const t = (Array.isArray(v) ? String(v[0] ?? '') : String(v)).trim();
    return t === '' ? undefined : t;
  };
  const q = str('q');
  if (q) {
    if (q.length > 100) errors.q = 'must be at most 100 characters';
    else c.q = q;
  }
  const shops = raw.shop_ids ?? raw.shop_id;
  if (shops !== undefined && shops !== null && shops !== '') {
    const list = (Array.isArray(shops) ? shops : String(shops).split(',')).map((s) => String(s).trim()).filter(Boolean);
    const ids = list.map(parseId);
    if (ids.some((n) => n === null)) errors.shop_id = 'must be shop ids (decimal digits, separated by commas)';
    else if (ids.length) c.shop_ids = ids as number[];
  }
  const group = str('group_id');
  if (group) {
    const n = parseId(group);
    if (n === null) errors.group_id = 'must be a group id';
    else c.group_id = n;
  }
  const parent = str('parent_id');
  if (parent) {
    const n = parseId(parent);
    if (n === null) errors.parent_id = 'must be a customer id';
    else c.parent_id = n;
  }
  const tag = str('tag');
  if (tag) c.tag = tag.toLowerCase();
  // Declared filters of plain fields: equality on the value typed.
  for (const f of plainFilters) {
    const v = str(f.filter!.param);
    if (v) (c as Record<string, unknown>)[f.key] = v;
  }
  for (const key of ['created_from', 'created_to'] as const) {
    const v = str(key);
    if (!v) continue;
    if (!isCalendarDate(v)) errors[key] = 'must be a date YYYY-MM-DD';
    else c[key] = v;
  }
  if (c.created_from && c.created_to && c.created_from > c.created_to) errors.created_to = 'must not be before created_from';
  const month = str('birth_month');
  if (month) {
    const n = Number(month);
    if (!Number.isInteger(n) || n < 1 || n > 12) errors.birth_month = 'must be a month number 1 to 12';
    else c.birth_month = n;
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return c;
}

export function parseSort(raw: unknown): CustomerSort {
  if (raw === undefined || raw === null || raw === '') return 'name';
  const s = String(raw) as CustomerSort;
  if (!CUSTOMER_SORTS.includes(s)) throw new ValidationError({ sort: `must be one of ${CUSTOMER_SORTS.join(', ')}` });
  return s;
}

/** The criteria back as query-string values, for links (export of the current list, pagination). */
export function criteriaToQuery(c: CustomerCriteria): Record<string, string> {
  const out: Record<string, string> = {};
  if (c.q) out.q = c.q;
  if (c.shop_ids?.length) out.shop_id = c.shop_ids.join(',');
  if (c.group_id) out.group_id = String(c.group_id);
  if (c.parent_id) out.parent_id = String(c.parent_id);
  if (c.tag) out.tag = c.tag;
  for (const f of plainFilters) {
    const v = (c as Record<string, unknown>)[f.key];
    if (v) out[f.filter!.param] = String(v);
  }
  if (c.created_from) out.created_from = c.created_from;
  if (c.created_to) out.created_to = c.created_to;
  if (c.birth_month) out.birth_month = String(c.birth_month);
  return out;
}
