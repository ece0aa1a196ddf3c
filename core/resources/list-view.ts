import type { RequestContext } from '../security/request-context';
import type { ResolvedField } from './define-entity';
import type { EntityRegistry, RegisteredEntity } from './entity-registry';
import type { BoundedCount, Page } from './entity-types';
import { listControls, type ListSetup, type ListState } from './list-controls';
import { formatDateTime } from '../views/helpers';
import { displayContext } from './display-context';
import { displayValue } from './field-display';
import { orderOf } from './entity-query';

/**
 * What the core list template (`resources/list`) shows: search, filters, sortable column headers,
 * rows and keyset pages. One view model for every entity, so what the list learns (counts, column
 * choice, saved filters, bulk actions) every entity gets; a module's own template gets the same data.
 */
export interface ListViewInput {
  query: Record<string, string>;
  page: Page<Record<string, unknown>>;
  /** Problems with the query, by parameter. */
  errors: Record<string, string>;
  setup: ListSetup;
  state: ListState;
  count: BoundedCount | null;
}

/** Filters shown on the bar's one line; the others fold under "More filters". */
const OPEN_FILTERS = 2;

export async function listView(ctx: RequestContext, registry: EntityRegistry, reg: RegisteredEntity, input: ListViewInput): Promise<Record<string, unknown>> {
  const { entity } = reg;
  const path = reg.pagesPath!;
  const { query, page, errors, setup, state } = input;
  const dc = await displayContext(ctx, registry, entity, page.data);
  const sort = typeof query.sort === 'string' && !errors.sort ? query.sort : entity.defaultSort;
  const current = safeOrder(reg, sort);
  const multiCompany = ctx.companyIds.length > 1 && !entity.rowScope;
  const listed = entity.fieldList.filter((f) => f.listed);
  const companyNames = new Map((ctx.principal.companies ?? []).map((c) => [c.id, c.name]));
  const shown = state.shown;
  const linked = new Set([shown[0]?.key, entity.title]);
  const controls = listControls(ctx, setup, state, { query, count: input.count, nextCursor: page.next_cursor, sort: `${current.direction === 'desc' ? '-' : ''}${current.column}` });

  const columns: Array<Record<string, unknown>> = [...controls.headers];
  const titleAt = shown.findIndex((c) => c.key === entity.title);
  if (multiCompany) columns.splice(titleAt + 1, 0, { key: 'company_id', label: 'Company', nextSort: null, sorted: null });

  const rows = page.data.map((row) => {
    const href = `${path}/${row.id}`;
    const cells = shown.map((c) => {
      const f = entity.field(c.key);
      if (!f) return { text: formatDateTime(row[c.key], dc.timeZone), class: 'nowrap', href: linked.has(c.key) ? href : null, badge: null };
      return cell(f, displayValue(f, row[f.key], row, dc), row[f.key], linked.has(f.key) ? href : null);
    });
    if (multiCompany) cells.splice(titleAt + 1, 0, { text: companyNames.get(Number(row.company_id)) ?? `#${row.company_id}`, class: '', href: null, badge: null });
    return { id: row.id, href, title: String(row[entity.title] ?? ''), cells };
  });

  const filters = await filterViews(ctx, registry, reg, query, errors);
  const folded = filters.slice(OPEN_FILTERS);
  const filtered = setup.filterParams.some((p) => query[p] !== undefined && query[p] !== '');
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
    filters: filters.slice(0, OPEN_FILTERS),
    moreFilters: folded.length ? folded : null,
    moreOpen: folded.some((f) => f.active),
    sort: typeof query.sort === 'string' ? query.sort : '',
    limit: typeof query.limit === 'string' ? query.limit : '',
    columns,
    rows,
    controls,
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
      views.push({ range: true, active: Boolean(value(`${param}_from`) || value(`${param}_to`) || errors[`${param}_from`] || errors[`${param}_to`]), label: f.label, from: { name: `${param}_from`, value: value(`${param}_from`), error: errors[`${param}_from`] }, to: { name: `${param}_to`, value: value(`${param}_to`), error: errors[`${param}_to`] }, type });
      continue;
    }
    const options = await filterOptions(ctx, registry, f);
    views.push({ range: false, active: Boolean(value(param) || errors[param]), label: f.label, name: param, value: value(param), error: errors[param], options: options?.map((o) => ({ ...o, selected: o.value === value(param) })) ?? null });
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
