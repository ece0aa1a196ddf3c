import type { PageRoute, PageResult, RedirectResult } from '../modules/module-api';
import { HANDLED } from '../modules/module-api';
import type { RequestContext } from '../security/request-context';
import { ValidationError } from '../errors';
import { idList, list, requireId, text, type FormBody } from '../http/form-input';
import { buildQueryString } from '../views/helpers';
import { COUNT_BOUND, countText, filterQuery, type BulkAction, type BulkSelection, type ListSetup } from './list-controls';
import { listPrefsStore } from './list-prefs';

/**
 * The posts every list takes besides its rows: the person's columns and page size, their saved
 * filters, and bulk actions: a confirmation page first (how many rows, what it will do, what it needs),
 * then the action under its own permission. Each route names its permission; an action the person
 * may not run is neither offered nor accepted.
 */
export function listRoutes(setup: ListSetup): PageRoute[] {
  const { path, permission } = setup;
  const routes: PageRoute[] = [
    {
      method: 'POST',
      path: `${path}/list/prefs`,
      permission,
      handler: async (ctx, { body }) => {
        const order = list(body, 'order');
        const shown = new Set(list(body, 'show'));
        const moved = moveColumn(order, text(body, 'move'));
        const columns = moved.filter((key) => shown.has(key));
        const size = Number(text(body, 'page_size'));
        const back = backTo(setup, body);
        try {
          await listPrefsStore.savePrefs(ctx, setup.key, { columns, pageSize: size || null }, setup.columns.map((c) => c.key));
        } catch (error) {
          if (error instanceof ValidationError) return { redirect: back, flash: { type: 'error', message: Object.values(error.fields).join('; ') } };
          throw error;
        }
        return { redirect: back, flash: { type: 'success', message: text(body, 'move') ? 'Column moved.' : 'List settings saved.' } };
      },
    },
    {
      method: 'POST',
      path: `${path}/list/filters`,
      permission,
      handler: async (ctx, { body }) => {
        const query = buildQueryString(filterQuery(setup, Object.fromEntries(new URLSearchParams(text(body, 'query'))))).replace(/^\?/, '');
        if (!query) return { redirect: path, flash: { type: 'error', message: 'Search or filter the list first, then save it.' } };
        try {
          const saved = await listPrefsStore.saveFilter(ctx, setup.key, text(body, 'name'), query);
          return { redirect: `${path}?${query}`, flash: { type: 'success', message: `Filter "${saved.name}" saved.` } };
        } catch (error) {
          if (error instanceof ValidationError) return { redirect: `${path}?${query}`, flash: { type: 'error', message: `Filter name ${Object.values(error.fields)[0]}.` } };
          throw error;
        }
      },
    },
    {
      method: 'POST',
      path: `${path}/list/filters/:filter/delete`,
      permission,
      handler: async (ctx, { params }) => {
        await listPrefsStore.deleteFilter(ctx, setup.key, requireId(params.filter));
        return { redirect: path, flash: { type: 'success', message: 'Saved filter deleted.' } };
      },
    },
    {
      method: 'POST',
      path: `${path}/bulk`,
      permission,
      handler: async (ctx, { body }) => confirmPage(ctx, setup, body),
    },
  ];
  for (const action of setup.bulk) {
    routes.push({
      method: 'POST',
      path: `${path}/bulk/${action.name}`,
      permission: action.permission,
      handler: async (ctx, { body }, _req, res) => {
        const selection = selectionOf(ctx, setup, body);
        if (selection.ids && !selection.ids.length) return { redirect: backTo(setup, body), flash: { type: 'error', message: `Tick at least one ${setup.label.one.toLowerCase()}.` } };
        try {
          const done = await action.run(ctx, selection, body, res);
          if (done === HANDLED) return HANDLED;
          return { redirect: backTo(setup, body), flash: { type: 'success', message: done.message } };
        } catch (error) {
          if (error instanceof ValidationError) return confirmPage(ctx, setup, { ...body, action: action.name }, error.fields);
          throw error;
        }
      },
    });
  }
  return routes;
}

/** "Delete 12 customers?": the rows concerned, the inputs the action needs, confirm or go back. */
async function confirmPage(ctx: RequestContext, setup: ListSetup, body: FormBody, errors: Record<string, string> = {}): Promise<PageResult | RedirectResult> {
  const action = setup.bulk.find((a) => a.name === text(body, 'action'));
  const back = backTo(setup, body);
  if (!action) return { redirect: back, flash: { type: 'error', message: 'Choose an action.' } };
  ctx.require(action.permission);
  const selection = selectionOf(ctx, setup, body);
  if (selection.ids && !selection.ids.length) return { redirect: back, flash: { type: 'error', message: `Tick at least one ${setup.label.one.toLowerCase()}.` } };
  const count = selection.ids ? { count: selection.ids.length, exact: true } : await setup.count(ctx, selection.query);
  const rows = countText(count, setup.label);
  const inputs = (await action.inputs?.(ctx)) ?? [];
  return {
    view: 'resources/bulk-confirm',
    title: action.label,
    status: Object.keys(errors).length ? 422 : undefined,
    data: {
      bulk: {
        title: `${action.label}: ${rows.text}`,
        question: action.question(rows.text),
        action: `${setup.path}/bulk/${action.name}`,
        danger: Boolean(action.danger),
        label: action.label,
        back,
        bound: count.exact ? null : `Every match is concerned, more than ${COUNT_BOUND.toLocaleString('en-US')}.`,
        scope: selection.ids ? 'ticked' : 'all',
        ids: selection.ids ?? [],
        filters: Object.entries(selection.query).map(([name, value]) => ({ name: `f[${name}]`, value })),
        inputs: inputs.map((input) => ({ ...input, value: text(body, input.name), error: errors[input.name] ?? null })),
        errors: Object.entries(errors).filter(([name]) => !inputs.some((i) => i.name === name)).map(([field, reason]) => ({ field, reason })),
      },
    },
  };
}

/** Ticked rows (`ids`) or every match (`scope=all` with the list's filters as `f[...]`). */
export function selectionOf(ctx: RequestContext, setup: ListSetup, body: FormBody): BulkSelection {
  const raw = (body.f && typeof body.f === 'object' ? body.f : {}) as Record<string, unknown>;
  const query = filterQuery(setup, raw);
  if (text(body, 'scope') === 'all') return { ids: null, query, batches: () => setup.matches(ctx, query) };
  const ids = idList(body, 'ids');
  return {
    ids,
    query,
    batches: async function* () {
      for (let i = 0; i < ids.length; i += 500) yield ids.slice(i, i + 500);
    },
  };
}

/** Back to the list as it was (its filters), never elsewhere. */
function backTo(setup: ListSetup, body: FormBody): string {
  const back = text(body, 'back');
  if (back.startsWith(`${setup.path}?`) || back === setup.path) return back;
  const raw = (body.f && typeof body.f === 'object' ? body.f : {}) as Record<string, unknown>;
  return `${setup.path}${buildQueryString(filterQuery(setup, raw))}`;
}

/** `key:up` or `key:down` moves a column one place in the order. */
function moveColumn(order: string[], move: string): string[] {
  const [key, direction] = move.split(':');
  const at = order.indexOf(key);
  const to = direction === 'up' ? at - 1 : at + 1;
  if (at < 0 || to < 0 || to >= order.length) return order;
  const out = [...order];
  [out[at], out[to]] = [out[to], out[at]];
  return out;
}

/** The ids of a selection, all of them (for actions that need them at once, bounded by the caller). */
export async function collectIds(selection: BulkSelection, limit = Infinity): Promise<number[]> {
  const out: number[] = [];
  for await (const batch of selection.batches()) {
    out.push(...batch);
    if (out.length >= limit) break;
  }
  return out;
}

export type { BulkAction };
