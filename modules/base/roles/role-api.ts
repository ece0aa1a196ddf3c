import { type ModuleContext, CORE, CORE_PERMISSIONS, type Role, type RoleService, type RequestContext, idParams, intParam } from 'tessera/core';
import { permissionGroupsSchema, roleCreateBody, rolePage, rolePatchBody, roleSchema } from './role-schemas';

const tags = ['Roles'];
const roles = (ctx: RequestContext) => ctx.container.get<RoleService>(CORE.Roles);

/** `/api/v1/base/roles` and `/permissions`: roles are sets of permissions; nobody grants more than it holds. */
export function registerRoleApi(m: ModuleContext): void {
  m.routes.api({
    method: 'GET',
    path: '/roles',
    permission: CORE_PERMISSIONS.roleRead,
    summary: 'List roles',
    tags,
    response: rolePage,
    async handler(ctx) {
      return { data: (await roles(ctx).list(ctx)).map(roleJson), next_cursor: null };
    },
  });

  m.routes.api({
    method: 'POST',
    path: '/roles',
    permission: CORE_PERMISSIONS.roleManage,
    summary: 'Create a role',
    tags,
    body: roleCreateBody,
    response: roleSchema,
    status: 201,
    async handler(ctx, { body }) {
      return roleJson(await roles(ctx).create(ctx, body));
    },
  });

  m.routes.api({
    method: 'GET',
    path: '/roles/{id}',
    permission: CORE_PERMISSIONS.roleRead,
    summary: 'Get a role',
    tags,
    params: idParams,
    response: roleSchema,
    async handler(ctx, { params }) {
      return roleJson(await roles(ctx).get(ctx, intParam(params.id)));
    },
  });

  m.routes.api({
    method: 'PATCH',
    path: '/roles/{id}',
    permission: CORE_PERMISSIONS.roleManage,
    summary: 'Edit a role',
    tags,
    params: idParams,
    body: rolePatchBody,
    response: roleSchema,
    async handler(ctx, { params, body }) {
      return roleJson(await roles(ctx).update(ctx, intParam(params.id), body));
    },
  });

  m.routes.api({
    method: 'DELETE',
    path: '/roles/{id}',
    permission: CORE_PERMISSIONS.roleManage,
    summary: 'Delete a role nobody holds',
    tags,
    params: idParams,
    status: 204,
    async handler(ctx, { params }) {
      await roles(ctx).remove(ctx, intParam(params.id));
      return undefined;
    },
  });

  m.routes.api({
    method: 'GET',
    path: '/permissions',
    permission: CORE_PERMISSIONS.roleRead,
    summary: 'Every permission, grouped by module, flagged with whether you may grant it',
    tags,
    response: permissionGroupsSchema,
    async handler(ctx) {
      const groups = await roles(ctx).grantable(ctx);
      return {
        data: groups.map((g) => ({
          module: g.module,
          permissions: g.permissions.map((p) => ({ name: p.name, description: p.description, implies: p.implies ?? [], grantable: p.grantable })),
        })),
      };
    },
  });
}

export function roleJson(role: Role) {
  return {
    id: role.id,
    company_id: role.company_id,
    name: role.name,
    description: role.description ?? '',
    is_super_admin: role.is_super_admin,
    permissions: role.permissions,
  };
}
