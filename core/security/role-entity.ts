import { defineEntity } from '../resources/define-entity';
import { field } from '../resources/fields';
import type { RowScope } from '../resources/row-scope';
import { CORE_PERMISSIONS } from './services';

/**
 * Roles (core_roles) belong to one company, or to none: a role with a null `company_id` is shared by
 * every company (the super admin role). A caller sees its companies' roles and the shared ones.
 */
export const roleScope: RowScope = {
  visible: (ctx, qb, alias) => void qb.where((w) => w.whereIn(`${alias}.company_id`, ctx.companyIds).orWhereNull(`${alias}.company_id`)),
  // A shared role's entries go under the caller's company, as they always have.
  auditCompany: (ctx, row) => (row.company_id == null ? ctx.companyId : Number(row.company_id)),
};

export const roleEntity = defineEntity({
  name: 'role',
  table: 'core_roles',
  label: { one: 'Role', many: 'Roles' },
  description: 'Sets of permissions given to users; nobody grants more than it holds.',
  permissions: { read: CORE_PERMISSIONS.roleRead, write: CORE_PERMISSIONS.roleManage, delete: CORE_PERMISSIONS.roleManage },
  paths: { api: false, pages: false },
  title: 'name',
  sorts: ['name'],
  scope: roleScope,
  // The table has no created_by/updated_by, and the API has always answered without stamps.
  stamps: { columns: ['created_at', 'updated_at'], shown: false },
  fields: {
    name: field.text({ label: 'Name', required: true, maxLength: 100, unique: true }),
    // Nullable here so a form may empty it; the column keeps '' (the hooks write it so).
    description: field.text({ label: 'Description', maxLength: 255 }),
    // Made once, at the first start: never through a form or the API.
    is_super_admin: field.boolean({ label: 'Super admin', readOnly: true }),
    // One core_role_permissions row each: the role service's hooks write them, its reads put them back.
    permissions: field.list({ label: 'Permissions', maxItems: 1000, maxLength: 100, column: false }),
  },
});
