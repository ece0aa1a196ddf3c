import {
  type ModuleContext,
  CORE,
  CORE_PERMISSIONS,
  type UserService,
  type UserSummary,
  type RequestContext,
  idParams,
  intParam,
  iso,
} from 'tessera/core';
import { userCreateBody, userListQuery, userPage, userPatchBody, userSchema } from './user-schemas';

const tags = ['Users'];
const users = (ctx: RequestContext) => ctx.container.get<UserService>(CORE.Users);

/** `/api/v1/base/users`: users sharing a company with the caller. */
export function registerUserApi(m: ModuleContext): void {
  m.routes.api({
    method: 'GET',
    path: '/users',
    permission: CORE_PERMISSIONS.userRead,
    summary: 'List users',
    tags,
    query: userListQuery,
    response: userPage,
    async handler(ctx, { query }) {
      const page = await users(ctx).list(ctx, {
        q: query.q,
        after: query.after ?? null,
        limit: query.limit === undefined ? undefined : intParam(query.limit),
      });
      return { data: page.data.map(userJson), next_cursor: page.next_cursor };
    },
  });

  m.routes.api({
    method: 'POST',
    path: '/users',
    permission: CORE_PERMISSIONS.userManage,
    summary: 'Create a user',
    tags,
    body: userCreateBody,
    response: userSchema,
    status: 201,
    async handler(ctx, { body }) {
      return userJson(await users(ctx).create(ctx, { ...body, role_ids: body.role_ids ?? [] }));
    },
  });

  m.routes.api({
    method: 'GET',
    path: '/users/{id}',
    permission: CORE_PERMISSIONS.userRead,
    summary: 'Get a user',
    tags,
    params: idParams,
    response: userSchema,
    async handler(ctx, { params }) {
      return userJson(await users(ctx).get(ctx, intParam(params.id)));
    },
  });

  m.routes.api({
    method: 'PATCH',
    path: '/users/{id}',
    permission: CORE_PERMISSIONS.userManage,
    summary: 'Edit a user (e-mail, name, active flag, password, roles, companies); a sub-admin only users all of whose companies it manages',
    tags,
    params: idParams,
    body: userPatchBody,
    response: userSchema,
    async handler(ctx, { params, body }) {
      return userJson(await users(ctx).update(ctx, intParam(params.id), body));
    },
  });
}

export function userJson(user: UserSummary) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    is_active: user.is_active,
    company_ids: user.company_ids,
    role_ids: user.role_ids,
    last_login_at: iso(user.last_login_at),
  };
}
