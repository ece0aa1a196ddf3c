import { type ModuleContext, CORE_PERMISSIONS, NotFoundError, requireId, CORE, ValidationError, auditLogView, firstValues, type EntityRegistry } from 'tessera/core';
import { BASE } from '../api';
import type { AuditTrail } from './audit-trail';

const TABLE = /^[a-z][a-z0-9_]{1,63}$/;

/**
 * The full history of one business record, for modules that link to it rather than embedding the
 * `shell/audit-trail` partial. Core tables are left out: their records have pages of their own.
 */
export function registerAuditPages(m: ModuleContext): void {
  m.routes.page({
    method: 'GET',
    path: '/admin/audit',
    permission: CORE_PERMISSIONS.auditRead,
    async handler(ctx, { query }) {
      const registry = ctx.container.get<EntityRegistry>(CORE.Entities);
      try {
        return { view: 'resources/audit-log', title: 'Audit log', data: { audit: await auditLogView(ctx, registry, firstValues(query)) } };
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const errors = Object.entries(error.fields).map(([field, reason]) => ({ field, reason }));
        return { view: 'resources/audit-log', title: 'Audit log', status: 422, data: { audit: await auditLogView(ctx, registry, {}), errors } };
      }
    },
  });
  m.routes.page({
    method: 'GET',
    path: '/admin/audit/:table/:id',
    permission: CORE_PERMISSIONS.auditRead,
    async handler(ctx, { params, query }) {
      const table = params.table ?? '';
      const id = requireId(params.id);
      if (!TABLE.test(table) || table.startsWith('core_')) throw new NotFoundError();
      const knex = ctx.db.unscoped('checking that a table name taken from the URL is a business table');
      if (!(await knex.schema.hasTable(table)) || !(await knex.schema.hasColumn(table, 'company_id'))) throw new NotFoundError();
      const entries = await ctx.container.get<AuditTrail>(BASE.AuditTrail).forRecord(ctx, table, id);
      const back = typeof query.back === 'string' && query.back.startsWith('/') && !query.back.startsWith('//') ? query.back : null;
      // Named as people name it ("Customer Ann Martin"), not by its table and id.
      const kind = ctx.container.get<EntityRegistry>(CORE.Entities).kindOfTable(table);
      const title = kind ? (await kind.resolve(ctx, [id])).get(id)?.title : undefined;
      const name = kind ? `${kind.label.one} ${title ?? `#${id}`}` : `${table} #${id}`;
      return { view: 'base/audit', title: `History of ${name}`, data: { table, id, name, entries, back } };
    },
  });
}
