import type { PageResult, PageRoute } from '../modules/module-api';
import { HANDLED } from '../modules/module-api';
import type { RequestContext } from '../security/request-context';
import { ForbiddenError, ValidationError } from '../errors';
import { attempt, requireId, text, type FormBody } from '../http/form-input';
import type { EntityRegistry, RegisteredEntity } from './entity-registry';
import type { BoundedCount, Page } from './entity-types';
import { entityListSetup } from './entity-list';
import { COUNT_BOUND, listState, type BulkAction } from './list-controls';
import { listRoutes } from './list-routes';
import { firstValues, pageFilters } from './list-query';
import { placeOf } from './display-context';
import { parseForm } from './form-values';
import { listView } from './list-view';
import { recordView, type RecordViewInput } from './record-view';
import { streamEntityCsv } from './entity-csv';

export type PagePart = 'list' | 'new' | 'create' | 'record' | 'update' | 'remove' | 'export';

/** `false` leaves the page out; `view` renders the same data with a module's template; `handler` replaces it. */
export type PageOverride = false | { view?: string; handler?: PageRoute['handler'] };

type Row = Record<string, unknown>;

/** What the layout puts at the root of every page (core/http/page-renderer.ts); page data must not hide it. */
const LAYOUT_KEYS = new Set(['title', 'csrfToken', 'flash', 'path', 'query', 'user', 'menus', 'company', 'companies', 'permissions', 'isSuperAdmin']);

/**
 * The pages of an entity under `paths.pages`: the list, the new-record form, the record page (form or
 * values, slots, history), their posts, deletion and the CSV export. Each carries its permission.
 */
export function entityPageRoutes(reg: RegisteredEntity, registry: EntityRegistry, overrides: Partial<Record<PagePart, PageOverride>> = {}, bulk: BulkAction[] = []): PageRoute[] {
  const { entity, service } = reg;
  const path = reg.pagesPath;
  if (!path) return [];
  const { read, write } = entity.permissions;
  const one = entity.label.one;
  const setup = entityListSetup(reg, registry, bulk);
  const views = { list: viewOf(overrides.list, 'resources/list'), record: viewOf(overrides.record, 'resources/record') };

  const mayCreate = (ctx: RequestContext) => {
    if (!service.mayCreate(ctx)) throw new ForbiddenError(`creating ${entity.label.many.toLowerCase()}`);
  };

  const recordPage = async (ctx: RequestContext, input: RecordViewInput, status?: number): Promise<PageResult> => {
    const record = await recordView(ctx, registry, reg, input);
    // The slots belong to a record: a new-record form has none to fill. Slot templates read the row as
    // `record.row`, or by the entity's name unless that would hide what the layout shows (the signed-in user).
    const named = input.row && !LAYOUT_KEYS.has(entity.name) ? { [entity.name]: input.row } : {};
    const data = { record, ...named, ...(input.row ? { slotNames: [reg.slots.panels, reg.slots.actions] } : {}) };
    return { view: input.row ? views.record : viewOf(overrides.new, 'resources/record'), title: String(record.title), status, data };
  };

  /** Parses and checks a posted form; a problem re-renders it with each message beside its field. */
  const submit = async (ctx: RequestContext, body: FormBody, before: Row | null, write: (values: Row, companyId: number) => Promise<Row>): Promise<{ saved: Row } | { retry: PageResult }> => {
    const companyId = before ? Number(before.company_id) : Number(text(body, 'company_id')) || ctx.companyId;
    const place = placeOf(ctx);
    const currencyOf = place.currencyOf;
    const parsed = parseForm(entity, body, before ? 'update' : 'create', { ...place, currencyOf: (f, values) => currencyOf(f, { ...values, company_id: companyId, ...(f.options.currencyField ? { [f.options.currencyField]: text(body, f.options.currencyField) } : {}) }) });
    const readable = Object.fromEntries(Object.entries(parsed.values).filter(([key]) => !parsed.errors[key]));
    const checked = await service.check(ctx, readable, before ? 'update' : 'create', companyId);
    const errors = { ...checked.errors, ...parsed.errors };
    const retry = async (problem: { errors: Record<string, string>; message: string }) => ({
      retry: await recordPage(ctx, { row: before, typed: parsed.typed, errors: problem.errors, formError: problem.message, companyId }, 422),
    });
    if (Object.keys(errors).length) return retry({ errors, message: problemOf(entity, errors) });
    const result = await attempt(() => write(readable, companyId));
    return result.ok ? { saved: result.value } : retry(result);
  };

  const routes: Record<PagePart, PageRoute | null> = {
    list: {
      method: 'GET',
      path,
      permission: read,
      handler: async (ctx, { query }) => {
        const params = firstValues(query);
        const state = await listState(ctx, setup, params);
        const { q, sort, after } = params;
        const filters = pageFilters(ctx, entity, params);
        let page: Page<Row> = { data: [], next_cursor: null };
        let count: BoundedCount | null = null;
        let errors: Record<string, string> = {};
        // Both run at once; the page's problems (the sort, the cursor) and the filters' are named together.
        const [paged, counted] = await Promise.allSettled([service.page(ctx, { q, sort, after, limit: state.pageSize, filters }), service.count(ctx, { q, filters }, { bound: COUNT_BOUND })]);
        for (const outcome of [paged, counted]) {
          if (outcome.status === 'fulfilled') continue;
          if (!(outcome.reason instanceof ValidationError)) throw outcome.reason;
          errors = { ...errors, ...outcome.reason.fields };
        }
        if (paged.status === 'fulfilled' && counted.status === 'fulfilled') [page, count] = [paged.value, counted.value];
        const list = await listView(ctx, registry, reg, { query: params, page, errors, setup, state, count });
        return { view: views.list, title: entity.label.many, status: Object.keys(errors).length ? 422 : undefined, data: { list } };
      },
    },
    new: { method: 'GET', path: `${path}/new`, permission: write, handler: async (ctx) => recordPage(ctx, { row: null }) },
    create: {
      method: 'POST',
      path,
      permission: write,
      handler: async (ctx, { body }) => {
        const outcome = await submit(ctx, body, null, (values, companyId) => service.create(ctx, { ...values, company_id: companyId }));
        if ('retry' in outcome) return outcome.retry;
        return { redirect: `${path}/${outcome.saved.id}`, flash: { type: 'success', message: `${one} ${outcome.saved[entity.title]} created.` } };
      },
    },
    record: {
      method: 'GET',
      path: `${path}/:id`,
      permission: read,
      handler: async (ctx, { params }) => recordPage(ctx, { row: await service.get(ctx, requireId(params.id)) }),
    },
    update: {
      method: 'POST',
      path: `${path}/:id`,
      permission: write,
      handler: async (ctx, { params, body }) => {
        const before = await service.get(ctx, requireId(params.id));
        const outcome = await submit(ctx, body, before, (values) => service.update(ctx, Number(before.id), values));
        if ('retry' in outcome) return outcome.retry;
        return { redirect: `${path}/${before.id}`, flash: { type: 'success', message: `${one} ${outcome.saved[entity.title]} saved.` } };
      },
    },
    remove: entity.permissions.delete
      ? {
          method: 'POST',
          path: `${path}/:id/delete`,
          permission: entity.permissions.delete,
          handler: async (ctx, { params }) => {
            const row = await service.get(ctx, requireId(params.id));
            const result = await attempt(() => service.remove(ctx, Number(row.id)));
            if (!result.ok) return { redirect: `${path}/${row.id}`, flash: { type: 'error', message: result.message } };
            return { redirect: path, flash: { type: 'success', message: `${one} ${row[entity.title]} deleted.` } };
          },
        }
      : null,
    export: entity.permissions.export
      ? {
          method: 'GET',
          path: `${path}/export.csv`,
          permission: entity.permissions.export,
          handler: async (ctx, { query }, _req, res) => {
            const params = firstValues(query);
            await streamEntityCsv(ctx, registry, reg, res, { q: params.q, sort: params.sort, filters: pageFilters(ctx, entity, params) });
            return HANDLED;
          },
        }
      : null,
  };
  const derived = (Object.keys(routes) as PagePart[]).flatMap((part): PageRoute[] => {
    const route = routes[part];
    const override = overrides[part];
    if (!route || override === false) return [];
    const handler = override?.handler ?? route.handler;
    // Creating is the scope's to allow as well as the permission's, whichever handler serves the page.
    if (part !== 'new' && part !== 'create') return [{ ...route, handler } as PageRoute];
    const guarded: typeof handler = (ctx, ...rest) => (mayCreate(ctx), handler(ctx, ...rest));
    return [{ ...route, handler: guarded } as PageRoute];
  });
  // The list's settings, saved filters and bulk actions come with the list.
  return overrides.list === false ? derived : [...derived, ...listRoutes(setup)];
}

/** What goes above the form: the fields to correct, by their labels. */
function problemOf(entity: RegisteredEntity['entity'], errors: Record<string, string>): string {
  const order = ['company_id', ...entity.fieldList.map((f) => f.key)];
  const keys = Object.keys(errors).sort((a, b) => (order.indexOf(a) + 1 || order.length + 1) - (order.indexOf(b) + 1 || order.length + 1));
  const labels = keys.map((key) => (key === 'company_id' ? 'Company' : entity.field(key)?.label ?? key));
  return `Please correct ${labels.length === 1 ? 'this field' : 'these fields'}: ${labels.join(', ')}`;
}

function viewOf(override: PageOverride | undefined, fallback: string): string {
  return (override && override.view) || fallback;
}
