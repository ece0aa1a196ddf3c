import type { RequestContext } from '../security/request-context';
import type { AnyEntity, ResolvedField } from './define-entity';
import type { DisplayContext } from './field-display';
import type { EntityRegistry, RefTarget } from './entity-registry';
import { companyCurrency, companyTimeZone } from './entity-query';

/** Where rows are shown: the company's zone, each row's currency, and the titles of what they refer to. */
export async function displayContext(ctx: RequestContext, registry: EntityRegistry, entity: AnyEntity, rows: Array<Record<string, unknown>>): Promise<DisplayContext> {
  const refs = new Map<string, Map<number, RefTarget>>();
  for (const f of entity.fieldList) {
    if (!f.target) continue;
    const ids = rows.map((r) => r[f.key]).filter((v): v is number => typeof v === 'number');
    const found = await registry.resolve(ctx, f.target, ids);
    refs.set(f.target, new Map([...(refs.get(f.target) ?? []), ...found]));
  }
  return { ...placeOf(ctx), refs };
}

/** The time zone and currencies of the caller's companies, for showing and for reading typed values. */
export function placeOf(ctx: RequestContext): Omit<DisplayContext, 'refs'> {
  return {
    timeZone: companyTimeZone(ctx),
    currencyOf: (f: ResolvedField, row: Record<string, unknown>) => {
      const own = f.options.currencyField ? row[f.options.currencyField] : null;
      return typeof own === 'string' && own ? own : companyCurrency(ctx, Number(row.company_id ?? ctx.companyId));
    },
  };
}
