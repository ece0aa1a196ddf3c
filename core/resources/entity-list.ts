import type { RequestContext } from '../security/request-context';
import { HANDLED } from '../modules/module-api';
import { attempt } from '../http/form-input';
import type { EntityRegistry, RegisteredEntity } from './entity-registry';
import type { EntityPageOptions } from './entity-types';
import { COUNT_BOUND, type BulkAction, type ListColumn, type ListSetup } from './list-controls';
import { streamEntityCsv } from './entity-csv';
import { pageFilters } from './list-query';

const MATCH_BATCH = 200;

/**
 * An entity's list described for the list controls: its columns (listed fields, then the others a
 * person may add), its filters, its count and matches through its service (scoped to the caller's
 * companies), and bulk actions: export and delete when the entity has those permissions, then the
 * module's own (`bulk` when registering).
 */
export function entityListSetup(reg: RegisteredEntity, registry: EntityRegistry, extra: BulkAction[] = []): ListSetup {
  const { entity, service } = reg;
  const path = reg.pagesPath!;
  const columns: ListColumn[] = entity.fieldList
    .filter((f) => f.kind !== 'secret' && f.kind !== 'json')
    .map((f) => ({ key: f.key, label: f.label, sort: entity.sortKeys.includes(f.key) ? f.key : undefined, optional: !f.listed }));
  columns.push({ key: 'created_at', label: 'Created', sort: entity.sortKeys.includes('created_at') ? 'created_at' : undefined, optional: true });
  const filterParams = ['q', ...entity.fieldList.flatMap((f) => (f.filter ? (f.filter.range ? [`${f.filter.param}_from`, `${f.filter.param}_to`] : [f.filter.param]) : []))];
  const options = (ctx: RequestContext, query: Record<string, string>): EntityPageOptions => ({ q: query.q, sort: query.sort, filters: pageFilters(ctx, entity, query) });
  const many = entity.label.many.toLowerCase();

  const bulk: BulkAction[] = [];
  if (entity.permissions.export) {
    bulk.push({
      name: 'export',
      label: 'Export CSV',
      permission: entity.permissions.export,
      question: (rows) => `Download ${rows} as a CSV file?`,
      run: async (ctx, selection, _body, res) => {
        await streamEntityCsv(ctx, registry, reg, res, { ...options(ctx, selection.query), ids: selection.ids ?? undefined });
        return HANDLED;
      },
    });
  }
  if (entity.permissions.delete) {
    bulk.push({
      name: 'delete',
      label: 'Delete',
      permission: entity.permissions.delete,
      danger: true,
      question: (rows) => `Delete ${rows}? This cannot be undone.`,
      run: async (ctx, selection) => {
        let deleted = 0;
        const refused: string[] = [];
        const ids: number[] = [];
        for await (const batch of selection.batches()) ids.push(...batch);
        for (const id of ids) {
          const result = await attempt(() => service.remove(ctx, id));
          if (result.ok) deleted++;
          else if (refused.length < 3) refused.push(`#${id}: ${result.message}`);
          else refused.push('');
        }
        const kept = refused.length ? ` ${refused.length} kept (${refused.filter(Boolean).join('; ')}${refused.length > 3 ? '; …' : ''}).` : '';
        return { message: `${deleted} ${deleted === 1 ? entity.label.one.toLowerCase() : many} deleted.${kept}` };
      },
    });
  }
  bulk.push(...extra);

  return {
    key: reg.fullName,
    path,
    permission: entity.permissions.read,
    label: entity.label,
    columns,
    filterParams,
    bulk,
    count: (ctx, query) => service.count(ctx, { q: query.q, filters: pageFilters(ctx, entity, query) }, { bound: COUNT_BOUND }),
    matches: (ctx, query) => pages(ctx, reg, options(ctx, query)),
  };
}

async function* pages(ctx: RequestContext, reg: RegisteredEntity, options: EntityPageOptions): AsyncIterable<number[]> {
  let after: string | null = null;
  do {
    const page = await reg.service.page(ctx, { ...options, after, limit: MATCH_BATCH });
    yield page.data.map((row: Record<string, unknown>) => Number(row.id));
    after = page.next_cursor;
  } while (after);
}
