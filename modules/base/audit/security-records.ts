import type { Knex } from 'knex';
import { CORE_PERMISSIONS, type EntityRegistry, type RefTarget, type RequestContext } from 'tessera/core';

type Row = Record<string, unknown>;

const ROLE_LABELS: Record<string, string> = { name: 'Name', description: 'Description', is_super_admin: 'Super admin', permissions: 'Permissions' };
const USER_LABELS: Record<string, string> = { email: 'E-mail', name: 'Name', is_active: 'Active', password_hash: 'Password', role_ids: 'Roles', company_ids: 'Companies' };

/**
 * Roles and users as the audit log names them ("Role Cashiers", "User Ann Martin", on their pages)
 * instead of `core_roles #12`. Only records the caller may see are named: its companies' and shared
 * roles, users sharing one of its companies.
 */
export function registerSecurityRecords(registry: EntityRegistry): void {
  registry.addRecordKind({
    fullName: 'base.role',
    module: 'base',
    table: 'core_roles',
    label: { one: 'Role', many: 'Roles' },
    pagesPath: '/admin/roles',
    resolve: (ctx, ids) => titles(ctx, ids, 'core_roles', (q) => q.where((w) => w.whereIn('company_id', ctx.companyIds).orWhereNull('company_id')), (r) => String(r.name)),
    titleOf: (values) => (typeof values.name === 'string' ? values.name : null),
    readPermission: CORE_PERMISSIONS.roleRead,
    fieldLabel: (key) => ROLE_LABELS[key],
  });
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
