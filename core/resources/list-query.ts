import type { RequestContext } from '../security/request-context';
import { parseAmount, parseRate } from '../data/money';
import type { AnyEntity } from './define-entity';
import { companyCurrency } from './entity-query';

/** A query string's values as single strings (a repeated name keeps its first). */
export function firstValues(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string' && first !== '') out[key] = first;
  }
  return out;
}

/**
 * The list's filters from a page's query: amounts and rates are typed as people write them (`12.50`),
 * other parameters are not the list's business (a page may carry its own).
 */
export function pageFilters(ctx: RequestContext, entity: AnyEntity, params: Record<string, string | undefined>): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  for (const f of entity.fieldList) {
    if (!f.filter) continue;
    const names = f.filter.range ? [`${f.filter.param}_from`, `${f.filter.param}_to`] : [f.filter.param];
    for (const name of names) {
      const value = params[name];
      if (value === undefined || value === '') continue;
      const parsed = f.kind === 'money' ? parseAmount(value, companyCurrency(ctx, ctx.companyId)) : f.kind === 'rate' ? parseRate(value) : value;
      filters[name] = parsed === null ? value : parsed;
    }
  }
  return filters;
}
