import type { Knex } from 'knex';
import { ValidationError } from '../errors';
import { LIKE_ESCAPE, escapeLikePrefix } from '../db/like';
import { endOfDay, startOfDay } from '../data/calendar';
import type { BranchFilter, KeysetKind, KeysetOrder } from '../data/keyset-page';
import type { RequestContext } from '../security/request-context';
import type { AnyEntity, ResolvedField } from './define-entity';
import { cleanValue, isDay } from './field-rules';
import { valueToDb } from './row-mapping';

/** The order of a list from its `sort` parameter (`name`, `-created_at`); unknown sorts are a 422. */
export function orderOf(entity: AnyEntity, sort: string | undefined): KeysetOrder {
  const asked = sort || entity.defaultSort;
  const key = asked.replace(/^-/, '');
  const direction = asked.startsWith('-') ? 'desc' : 'asc';
  if (!entity.sortKeys.includes(key)) throw new ValidationError({ sort: `must be one of ${entity.sortKeys.join(', ')} (- in front for descending)` });
  if (key === 'id') return { column: 'id', direction, kind: 'number' };
  if (key === 'created_at' || key === 'updated_at') return { column: key, direction, kind: 'instant' };
  const f = entity.field(key)!;
  return { column: key, direction, kind: sortKind(f), nullable: f.nullable };
}

function sortKind(f: ResolvedField): KeysetKind {
  if (f.kind === 'datetime') return 'instant';
  if (['integer', 'money', 'rate', 'ref', 'boolean'].includes(f.kind)) return 'number';
  return 'text';
}

/** `q` as alternatives: one prefix condition per search field, each its own index range. */
export function searchAlternatives(entity: AnyEntity, q: string | undefined): BranchFilter[] | undefined {
  const text = q?.trim();
  if (!text || !entity.search?.length) return undefined;
  const pattern = escapeLikePrefix(text);
  return entity.search.map((key) => (qb: Knex.QueryBuilder, alias: string) => {
    qb.whereRaw(`?? like ? ${LIKE_ESCAPE}`, [`${alias}.${key}`, pattern]);
  });
}

/** The same search as one OR, for counts (no order to keep). */
export function applySearch(qb: Knex.QueryBuilder, alias: string, entity: AnyEntity, q: string | undefined): void {
  const alternatives = searchAlternatives(entity, q);
  if (alternatives) qb.where((w) => alternatives.forEach((alternative) => w.orWhere((o) => alternative(o, alias))));
}

/**
 * Checks the filter values a list was given (`is_active=true`, `created_at_from=2025-01-01`) and
 * returns the condition they make. Each bad value is a 422 naming its parameter. A plain filter may
 * also be given an array of values (from code, not a query string): rows holding any of them.
 */
export function filterOf(ctx: RequestContext, entity: AnyEntity, filters: Record<string, unknown> = {}): BranchFilter {
  const known = new Set<string>();
  const conditions: BranchFilter[] = [];
  const errors: Record<string, string> = {};
  const timeZone = companyTimeZone(ctx);
  for (const f of entity.fieldList) {
    if (!f.filter) continue;
    const { param, range } = f.filter;
    if (!range) {
      known.add(param);
      const raw = filters[param];
      if (Array.isArray(raw)) {
        // A set of values (`IN`): a caller narrowing a list to several values at once; an empty set matches nothing.
        const values = raw.map((one) => clean(f, one, param, errors)).filter((v) => v !== undefined).map((v) => valueToDb(f, v) as Knex.Value);
        conditions.push((qb, alias) => qb.whereIn(`${alias}.${f.key}`, values));
        continue;
      }
      const value = clean(f, raw, param, errors);
      if (value !== undefined) conditions.push((qb, alias) => qb.where(`${alias}.${f.key}`, valueToDb(f, value) as Knex.Value));
      continue;
    }
    for (const end of ['from', 'to'] as const) {
      const name = `${param}_${end}`;
      known.add(name);
      const raw = filters[name];
      if (raw === undefined || raw === null || raw === '') continue;
      if (f.kind === 'date' || f.kind === 'datetime') {
        const day = String(raw).trim();
        if (!isDay(day)) errors[name] = 'must be a date (YYYY-MM-DD)';
        // An instant filtered by days means those days on the company's calendar.
        else if (f.kind === 'datetime') conditions.push((qb, alias) => qb.where(`${alias}.${f.key}`, end === 'from' ? '>=' : '<', end === 'from' ? startOfDay(day, timeZone) : endOfDay(day, timeZone)));
        else conditions.push((qb, alias) => qb.where(`${alias}.${f.key}`, end === 'from' ? '>=' : '<=', day));
        continue;
      }
      const value = clean(f, raw, name, errors);
      if (value !== undefined) conditions.push((qb, alias) => qb.where(`${alias}.${f.key}`, end === 'from' ? '>=' : '<=', value as number));
    }
  }
  for (const name of Object.keys(filters)) if (!known.has(name) && filters[name] !== undefined) errors[name] = 'is not a filter of this list';
  if (Object.keys(errors).length) throw new ValidationError(errors);
  return (qb, alias) => conditions.forEach((condition) => condition(qb, alias));
}

function clean(f: ResolvedField, raw: unknown, name: string, errors: Record<string, string>): unknown {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const result = cleanValue({ ...f, options: { ...f.options, required: false, validate: undefined } }, raw);
  if ('error' in result) errors[name] = result.error;
  return 'value' in result && result.value !== null ? result.value : undefined;
}

/** The time zone of the company the caller works in: business days are that company's days. */
export function companyTimeZone(ctx: RequestContext): string {
  return ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.timezone ?? 'UTC';
}

/** The currency of a company the caller sees: money without a currency field is in it. */
export function companyCurrency(ctx: RequestContext, companyId: number): string {
  return ctx.principal.companies?.find((c) => c.id === companyId)?.currency ?? 'EUR';
}
