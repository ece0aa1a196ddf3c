import type { RequestContext } from '../security/request-context';
import type { ResolvedField } from './define-entity';
import type { EntityRegistry, RegisteredEntity } from './entity-registry';
import type { Page } from './entity-types';
import { displayContext } from './display-context';
import { displayValue } from './field-display';
import { orderOf } from './entity-query';

/**
 * What the core list template (`resources/list`) shows: search, filters, sortable column headers,
 * rows and keyset pages. One view model for every entity, so what the list learns (counts, column
 * choice, saved filters, bulk actions) every entity gets; a module's own template gets the same data.
 */
export interface ListViewInput {
  query: Record<string, unknown>;
  page: Page<Record<string, unknown>>;
  /** Problems with the query, by parameter. */
  errors: Record<string, string>;
}

export async function listView(ctx: RequestContext, registry: EntityRegistry, reg: RegisteredEntity, input: ListViewInput): Promise<Record<string, unknown>> {
  const { entity } = reg;
  const path = reg.pagesPath!;
  const { query, page, errors } = input;
  const dc = await displayContext(ctx, registry, entity, page.data);
  const sort = typeof query.sort === 'string' && !errors.sort ? query.sort : entity.defaultSort;
  const current = safeOrder(reg, sort);
  const multiCompany = ctx.companyIds.length > 1 && !entity.rowScope;
  const listed = entity.fieldList.filter((f) => f.listed);
  const companyNames = new Map((ctx.principal.companies ?? []).map((c) => [c.id, c.name]));
  const linked = new Set([listed[0]?.key, entity.title]);

  const columns = listed.map((f) => column(f.key, f.label, reg, current));
  const titleAt = listed.findIndex((f) => f.key === entity.title);
  if (multiCompany) columns.splice(titleAt + 1, 0, { key: 'company_id', label: 'Company', nextSort: null, sorted: null });

  const rows = page.data.map((row) => {
    const href = `${path}/${row.id}`;
    const cells = listed.map((f) => cell(f, displayValue(f, row[f.key], row, dc), row[f.key], linked.has(f.key) ? href : null));
    if (multiCompany) cells.splice(titleAt + 1, 0, { text: companyNames.get(Number(row.company_id)) ?? `#${row.company_id}`, class: '', href: null, badge: null });
    return { id: row.id, href, cells };
  });

  const filterParams = entity.fieldList.flatMap((f) => (f.filter ? (f.filter.range ? [`${f.filter.param}_from`, `${f.filter.param}_to`] : [f.filter.param]) : []));
  const filtered = ['q', ...filterParams].some((p) => query[p] !== undefined && query[p] !== '');
  const can = (permission: string | false | undefined) => Boolean(permission) && ctx.can(permission as string);
  return {
    entity: reg.fullName,
    title: entity.label.many,
    description: entity.description ?? null,
    path,
    newHref: reg.service.mayCreate(ctx) ? `${path}/new` : null,
    newLabel: `New ${entity.label.one.toLowerCase()}`,
    exportPath: can(entity.permissions.export) ? `${path}/export.csv` : null,
    searchable: Boolean(entity.search?.length),
    q: typeof query.q === 'string' ? query.q : '',
    searchPlaceholder: `${(entity.search ?? []).map((k, i) => (i ? entity.field(k)!.label.toLowerCase() : entity.field(k)!.label)).join(' or ')} starts with…`,
    filters: await filterViews(ctx, registry, reg, query, errors),
    sort: typeof query.sort === 'string' ? query.sort : '',
    columns,
    rows,
    next_cursor: page.next_cursor,
    filtered,
    errors: Object.entries(errors).map(([field, reason]) => ({ field, reason })),
    emptyMessage: filtered ? `No ${entity.label.one.toLowerCase()} matches your search.` : `No ${entity.label.many.toLowerCase()} yet.`,
    firstLabel: `Create the first ${entity.label.one.toLowerCase()}`,
  };
}

function safeOrder(reg: RegisteredEntity, sort: string) {
  try {
    return orderOf(reg.entity, sort);
  } catch {
    return orderOf(reg.entity, undefined);
  }
}

/** A header: sortable ones link to their order, and to the reverse when already sorted by them. */
function column(key: string, label: string, reg: RegisteredEntity, current: ReturnType<typeof orderOf>) {
  if (!reg.entity.sortKeys.includes(key)) return { key, label, nextSort: null, sorted: null };
  const active = current.column === key;
  const nextSort = active && current.direction === 'asc' ? `-${key}` : key;
  return { key, label, nextSort, sorted: active ? (current.direction === 'asc' ? 'ascending' : 'descending') : null };
}

function cell(f: ResolvedField, text: string, value: unknown, href: string | null) {
  const badge = f.kind === 'boolean' ? (value ? 'active' : 'inactive') : f.kind === 'enum' && value ? 'info' : null;
  const cls = f.kind === 'code' ? 'mono' : ['money', 'rate', 'integer'].includes(f.kind) ? 'num nowrap' : ['phone', 'date', 'datetime'].includes(f.kind) ? 'nowrap' : '';
  return { text, class: cls, href, badge };
}

async function filterViews(ctx: RequestContext, registry: EntityRegistry, reg: RegisteredEntity, query: Record<string, unknown>, errors: Record<string, string>) {
  const views = [];
  const value = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : '');
  for (const f of reg.entity.fieldList) {
    if (!f.filter) continue;
    const { param, range } = f.filter;
    if (range) {
      const type = f.kind === 'date' || f.kind === 'datetime' ? 'date' : 'text';
      views.push({ range: true, label: f.label, from: { name: `${param}_from`, value: value(`${param}_from`), error: errors[`${param}_from`] }, to: { name: `${param}_to`, value: value(`${param}_to`), error: errors[`${param}_to`] }, type });
      continue;
    }
    const options = await filterOptions(ctx, registry, f);
    views.push({ range: false, label: f.label, name: param, value: value(param), error: errors[param], options: options?.map((o) => ({ ...o, selected: o.value === value(param) })) ?? null });
  }
  return views;
}

async function filterOptions(ctx: RequestContext, registry: EntityRegistry, f: ResolvedField): Promise<Array<{ value: string; label: string }> | null> {
  if (f.kind === 'boolean') {
    const [yes, no] = f.options.words ?? ['Yes', 'No'];
    return [{ value: 'true', label: yes }, { value: 'false', label: no }];
  }
  if (f.kind === 'enum') return Object.entries(f.options.values as Record<string, string>).map(([value, label]) => ({ value, label }));
  if (f.target) {
    const options = (await Promise.all(ctx.companyIds.map((companyId) => registry.options(ctx, f.target!, companyId)))).flat();
    const unique = new Map(options.map((o) => [o.id, o]));
    return [...unique.values()].map((o) => ({ value: String(o.id), label: o.title }));
  }
  return null;
}
