import type { Knex } from 'knex';
import { CORE_PERMISSIONS, type EntityRegistry, type RefTarget, type RequestContext } from 'tessera/core';

type Row = Record<string, unknown>;

const USER_LABELS: Record<string, string> = { email: 'E-mail', name: 'Name', is_active: 'Active', password_hash: 'Password', role_ids: 'Roles', company_ids: 'Companies' };

/**
 * Users as the audit log names them ("User Ann Martin", on their pages) instead of `core_users #12`.
 * Only users sharing one of the caller's companies are named. Roles are named by their entity
 * (roles/role-entity.ts registers it), like every entity.
 */
export function registerSecurityRecords(registry: EntityRegistry): void {
  registry.addRecordKind({
    fullName: 'base.user',
    module: 'base',
    table: 'core_users',
    label: { one: 'User', many: 'Users' },
    pagesPath: '/admin/users',
    resolve: (ctx, ids) =>
      titles(ctx, ids, 'core_users', (q) => q.whereIn('id', (m) => m.select('user_id').from('core_user_companies').whereIn('company_id', ctx.companyIds)), (r) => String(r.name || r.email)),
    titleOf: (values) => (typeof values.name === 'string' ? values.name : typeof values.email === 'string' ? values.email : null),
    readPermission: CORE_PERMISSIONS.userRead,
    fieldLabel: (key) => USER_LABELS[key],
  });
}

async function titles(ctx: RequestContext, ids: number[], table: string, visible: (q: Knex.QueryBuilder) => void, title: (row: Row) => string): Promise<Map<number, RefTarget>> {
  const query = ctx.db.unscoped(`${table} belong to no single company; visibility is limited right here`)(table).whereIn('id', ids);
  visible(query);
  const rows = (await query.select('*')) as Row[];
  return new Map(rows.map((r) => [Number(r.id), { title: title(r), company_id: null }]));
}
