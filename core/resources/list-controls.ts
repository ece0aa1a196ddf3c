import type { Response } from 'express';
import type { HANDLED } from '../modules/module-api';
import type { RequestContext } from '../security/request-context';
import { buildQueryString } from '../views/helpers';
import type { BoundedCount } from './entity-types';
import { PAGE_SIZES, listPrefsStore, type ListPrefs, type SavedFilter } from './list-prefs';

/**
 * What every list offers around its rows, whoever builds the rows (an entity's derived list, a module's
 * hand-written one): the count of matches, columns each person chooses and orders, their page size and
 * saved filters, first/previous/next pages, and bulk actions on ticked rows or on every match. A list
 * describes itself once (`ListSetup`); `listState` reads the person's settings, `listControls` makes
 * the view model the `shell/list-*` partials show, `listRoutes` (list-routes.ts) takes their posts.
 */
export interface ListColumn {
  key: string;
  label: string;
  /** The sort key clicking the header applies (`-` added for the reverse); none: not sortable. */
  sort?: string;
  /** Left out until a person chooses it. */
  optional?: boolean;
}

export interface BulkInput {
  name: string;
  label: string;
  type: 'text' | 'select';
  options?: Array<{ value: string; label: string }>;
  required?: boolean;
}

/** Which rows a bulk action works on: ticked ids, or every match of the list's query. */
export interface BulkSelection {
  /** The ticked ids; null for every match. */
  ids: number[] | null;
  /** The list's filters and search, as its query string holds them. */
  query: Record<string, string>;
  /** The ids, a batch at a time (every match of a million rows is never held at once). */
  batches(): AsyncIterable<number[]>;
}

export interface BulkAction {
  name: string;
  label: string;
  permission: string;
  /** Red button, and said twice: deleting. */
  danger?: boolean;
  /** The confirmation's question, given how many rows ("12 customers", "10,000+ customers"). */
  question(rows: string): string;
  inputs?(ctx: RequestContext): Promise<BulkInput[]>;
  /** Does it; the message goes to the list as a flash. An export writes its file and says HANDLED. */
  run(ctx: RequestContext, selection: BulkSelection, body: Record<string, unknown>, res: Response): Promise<{ message: string } | typeof HANDLED>;
}

export interface ListSetup {
  /** Where settings are kept: `<module>.<entity>`. */
  key: string;
  path: string;
  /** The list's read permission: its settings, filters and confirmations need no more. */
  permission: string;
  label: { one: string; many: string };
  columns: ListColumn[];
  /** Query parameters that filter (search included): what a saved filter and "every match" carry. */
  filterParams: string[];
  bulk: BulkAction[];
  /** How many rows match the query, counting no further than the bound. */
  count(ctx: RequestContext, query: Record<string, string>): Promise<BoundedCount>;
  /** Ids of every row matching the query, in batches. */
  matches(ctx: RequestContext, query: Record<string, string>): AsyncIterable<number[]>;
}

export interface ListState {
  prefs: ListPrefs;
  saved: SavedFilter[];
  /** The columns shown, in the person's order. */
  shown: ListColumn[];
  pageSize: number;
}

export const DEFAULT_PAGE_SIZE = 50;
/** Past this many matches the count says "10,000+": counting a million rows costs a million reads. */
export const COUNT_BOUND = 10_000;

export async function listState(ctx: RequestContext, setup: ListSetup, query: Record<string, string | undefined>): Promise<ListState> {
  const [prefs, saved] = await Promise.all([listPrefsStore.prefs(ctx, setup.key), listPrefsStore.filters(ctx, setup.key)]);
  const byKey = new Map(setup.columns.map((c) => [c.key, c]));
  const chosen = prefs.columns?.map((key) => byKey.get(key)).filter((c): c is ListColumn => Boolean(c));
  const shown = chosen?.length ? chosen : setup.columns.filter((c) => !c.optional);
  const asked = Number(query.limit);
  const pageSize = (PAGE_SIZES as readonly number[]).includes(asked) ? asked : (prefs.pageSize ?? DEFAULT_PAGE_SIZE);
  return { prefs, saved, shown, pageSize };
}

/** The filters of a query (what a saved filter keeps), in the list's order of parameters. */
export function filterQuery(setup: ListSetup, query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of [...setup.filterParams, 'sort']) {
    const value = query[name];
    if (typeof value === 'string' && value !== '') out[name] = value;
  }
  return out;
}

export interface ControlsInput {
  query: Record<string, string | undefined>;
  count: BoundedCount | null;
  nextCursor: string | null;
  /** The sort in force, as a request says it (`name`, `-created_at`). */
  sort: string;
}

export function listControls(ctx: RequestContext, setup: ListSetup, state: ListState, input: ControlsInput) {
  const { query } = input;
  const filters = filterQuery(setup, query);
  const shownKeys = new Set(state.shown.map((c) => c.key));
  const order = [...state.shown, ...setup.columns.filter((c) => !shownKeys.has(c.key))];
  const trail = (query.trail ?? '').split('.').filter(Boolean);
  const after = query.after ?? '';
  const bulk = setup.bulk.filter((a) => ctx.can(a.permission)).map((a) => ({ name: a.name, label: a.label }));
  const current = buildQueryString(filters).replace(/^\?/, '');
  return {
    key: setup.key,
    count: input.count ? countText(input.count, setup.label) : null,
    headers: state.shown.map((c) => header(c, input.sort)),
    pager: {
      page: trail.length + 1,
      // The first page's place in the trail is `0`: cursors are base64url JSON and never that.
      first: after || trail.length ? { after: '', trail: '' } : null,
      prev: trail.length ? { after: trail[trail.length - 1] === '0' ? '' : trail[trail.length - 1], trail: trail.slice(0, -1).join('.') } : null,
      next: input.nextCursor ? { after: input.nextCursor, trail: [...trail, after || '0'].join('.') } : null,
    },
    settings: {
      action: `${setup.path}/list/prefs`,
      back: `${setup.path}${buildQueryString({ ...filters, ...(query.limit ? { limit: query.limit } : {}) })}`,
      columns: order.map((c) => ({ key: c.key, label: c.label, shown: shownKeys.has(c.key) })),
      pageSizes: PAGE_SIZES.map((n) => ({ value: n, selected: n === state.pageSize })),
    },
    saved: {
      action: `${setup.path}/list/filters`,
      current,
      canSave: Boolean(current) && ctx.principal.userId !== null,
      items: state.saved.map((f) => ({ ...f, href: `${setup.path}?${f.query}`, active: f.query === current, deleteAction: `${setup.path}/list/filters/${f.id}/delete` })),
    },
    bulk: bulk.length
      ? { action: `${setup.path}/bulk`, actions: bulk, hidden: Object.entries(filters).map(([name, value]) => ({ name: `f[${name}]`, value })) }
      : null,
  };
}

export type ListControls = ReturnType<typeof listControls>;

/** "1,234 customers", "10,000+ customers", "1 customer". */
export function countText(count: BoundedCount, label: { one: string; many: string }): { n: string; exact: boolean; text: string } {
  const n = `${count.count.toLocaleString('en-US')}${count.exact ? '' : '+'}`;
  return { n, exact: count.exact, text: `${n} ${count.exact && count.count === 1 ? label.one.toLowerCase() : label.many.toLowerCase()}` };
}

/** A header: sortable ones link to their order, and to the reverse when already sorted by them. */
function header(c: ListColumn, sort: string) {
  if (!c.sort) return { key: c.key, label: c.label, nextSort: null, sorted: null };
  const active = sort.replace(/^-/, '') === c.sort;
  const descending = sort.startsWith('-');
  return {
    key: c.key,
    label: c.label,
    nextSort: active && !descending ? `-${c.sort}` : c.sort,
    sorted: active ? (descending ? 'descending' : 'ascending') : null,
  };
}
