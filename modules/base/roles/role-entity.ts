import { type ModuleContext, CORE, CORE_PERMISSIONS, type EntityService, type Role, type RoleService, type RequestContext, roleEntity } from 'tessera/core';
import { rolePages } from './role-pages';
import { permissionGroupsSchema, roleCreateBody, rolePage, rolePatchBody, roleSchema } from './role-schemas';

type RoleEntityService = RoleService & EntityService<typeof roleEntity, Role>;

/**
 * `/api/v1/base/roles` and the pages under /admin/roles, derived by the resource layer from core's role declaration and served by core's
 * role service (its hooks keep a sub-admin from granting what it does not hold). What is special: the
 * list is every visible role at once, with its permissions, and the bodies and answers keep the shapes
 * the API has always had. `/permissions` is hand-written: it lists the catalogue, not roles.
 */
export function registerRoles(m: ModuleContext): void {
  const roles = m.container.get<RoleEntityService>(CORE.Roles);
  // Paths and permissions of the pages come from the declaration; their handlers are roles' own (the permission editor).
  const served: typeof roleEntity = { ...roleEntity, paths: { api: '/roles', pages: '/admin/roles' } };
  m.entities.register(
    served,
    {
      service: () => roles,
      api: {
        list: {
          summary: 'List roles',
          query: undefined,
          response: rolePage,
          handler: async (ctx) => ({ data: (await roles.list(ctx)).map(roleJson), next_cursor: null }),
        },
        get: { summary: 'Get a role', response: roleSchema },
        create: { summary: 'Create a role', body: roleCreateBody, response: roleSchema },
        update: { summary: 'Edit a role', body: rolePatchBody, response: roleSchema },
        remove: { summary: 'Delete a role nobody holds' },
      },
      pages: rolePages(),
    },
  );

  m.routes.api({
    method: 'GET',
    path: '/permissions',
    permission: CORE_PERMISSIONS.roleRead,
    summary: 'Every permission, grouped by module, flagged with whether you may grant it',
    tags: ['Roles'],
    response: permissionGroupsSchema,
    async handler(ctx: RequestContext) {
      const groups = await roles.grantable(ctx);
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
