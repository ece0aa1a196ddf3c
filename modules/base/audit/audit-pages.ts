import { type ModuleContext, CORE_PERMISSIONS, NotFoundError, requireId } from 'tessera/core';
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
      return { view: 'base/audit', title: `History of ${table} #${id}`, data: { table, id, entries, back } };
    },
  });
}
