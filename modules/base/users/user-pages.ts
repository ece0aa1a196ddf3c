import {
  type PageOverride,
  type PagePart,
  type PageResult,
  CORE,
  CORE_PERMISSIONS,
  type Role,
  type RoleService,
  type UserPatch,
  type UserService,
  type UserSummary,
  type RequestContext,
  type EntityRegistry,
  attempt,
  checkbox,
  entityHistory,
  placeOf,
  userEntity,
  FormProblem,
  formIdList as idList,
  raw,
  requireId,
  text,
} from 'tessera/core';

const users = (ctx: RequestContext) => ctx.container.get<UserService>(CORE.Users);
const roles = (ctx: RequestContext) => ctx.container.get<RoleService>(CORE.Roles);

/**
 * Settings → Users: the user entity's pages (paths and permissions derived from its declaration), with
 * handlers of their own: roles and companies are checkboxes, and what the caller cannot toggle (roles
 * it could not give, companies not its own, its own roles and active flag) stays as it is.
 */
export function userPages(): Partial<Record<PagePart, PageOverride>> {
  return {
    list: {
      async handler(ctx, { query }) {
        const q = typeof query.q === 'string' ? query.q.trim() : '';
        const after = typeof query.after === 'string' && query.after ? query.after : null;
        const page = await users(ctx).page(ctx, { q: q || undefined, after, limit: 50 });
        const roleNames = ctx.can(CORE_PERMISSIONS.roleRead) ? new Map((await roles(ctx).list(ctx)).map((r) => [r.id, r.name])) : null;
        return {
          view: 'base/users-list',
          title: 'Users',
          data: {
            rows: page.data.map((u) => ({ ...u, role_names: roleNames ? u.role_ids.map((id) => roleNames.get(id) ?? `#${id}`) : [] })),
            showRoles: roleNames !== null,
            next_cursor: page.next_cursor,
            q,
            query,
          },
        };
      },
    },
    new: {
      async handler(ctx) {
        return userForm(ctx, null, { is_active: true, company_ids: [ctx.companyId], role_ids: [] });
      },
    },
    create: {
      async handler(ctx, { body }) {
        const values = {
          email: text(body, 'email').toLowerCase(),
          name: text(body, 'name'),
          password: raw(body, 'password'),
          role_ids: idList(body, 'role_ids'),
          company_ids: idList(body, 'company_ids'),
        };
        const result = await attempt(() => users(ctx).create(ctx, values));
        if (!result.ok) return userForm(ctx, null, { ...values, password: '' }, result);
        return { redirect: `/admin/users/${result.value.id}`, flash: { type: 'success', message: `User ${result.value.email} created.` } };
      },
    },
    record: {
      async handler(ctx, { params }) {
        const user = await users(ctx).get(ctx, requireId(params.id));
        return userForm(ctx, user, user);
      },
    },
    update: {
      async handler(ctx, { params, body }) {
        const user = await users(ctx).get(ctx, requireId(params.id));
        const isSelf = user.id === ctx.user.id;
        const choices = await roleChoices(ctx, user.role_ids);
        const patch: UserPatch = {
          // A form without the e-mail field (an older page still open) leaves the login as it is.
          email: body.email === undefined ? undefined : text(body, 'email').toLowerCase(),
          name: text(body, 'name'),
          // The service keeps the user's memberships in companies the caller does not work in.
          company_ids: idList(body, 'company_ids'),
        };
        // One's own roles and active flag are not editable here: the service refuses self-promotion, and
        // switching oneself off would lock one out.
        if (!isSelf) {
          patch.is_active = checkbox(body, 'is_active');
          patch.role_ids = mergeRoles(idList(body, 'role_ids'), user.role_ids, choices);
        }
        const password = raw(body, 'password');
        if (password) patch.password = password;
        const result = await attempt(() => users(ctx).update(ctx, user.id, patch));
        if (!result.ok) return userForm(ctx, user, { ...user, ...patch, role_ids: patch.role_ids ?? user.role_ids }, result);
        return { redirect: `/admin/users/${user.id}`, flash: { type: 'success', message: `User ${result.value.email} saved.` } };
      },
    },
  };
}

interface RoleChoice {
  id: number;
  name: string;
  description: string;
  is_super_admin: boolean;
  checked: boolean;
  /** Whether the caller may give or take this role (holds all its permissions). */
  assignable: boolean;
}

/** Roles the caller may see; those carrying permissions it lacks are shown but cannot be toggled. */
async function roleChoices(ctx: RequestContext, checkedIds: number[]): Promise<RoleChoice[]> {
  if (!ctx.can(CORE_PERMISSIONS.roleRead)) return [];
  const all: Role[] = await roles(ctx).list(ctx);
  const checked = new Set(checkedIds.map(Number));
  return all.map((role) => ({
    id: role.id,
    name: role.name,
    description: role.description,
    is_super_admin: role.is_super_admin,
    checked: checked.has(role.id),
    assignable: ctx.principal.isSuperAdmin || (!role.is_super_admin && role.permissions.every((p) => ctx.can(p))),
  }));
}

/** Disabled checkboxes are not submitted: roles the caller cannot toggle keep their current state. */
export function mergeRoles(submitted: number[], current: number[], choices: RoleChoice[]): number[] {
  const toggleable = new Set(choices.filter((c) => c.assignable).map((c) => c.id));
  const kept = current.filter((id) => !toggleable.has(id));
  const chosen = submitted.filter((id) => toggleable.has(id));
  return [...new Set([...kept, ...chosen])];
}

async function userForm(ctx: RequestContext, user: UserSummary | null, values: Record<string, any>, problem?: FormProblem): Promise<PageResult> {
  // The history in the declaration's words: field labels, the password as "(changed)".
  const history = user && ctx.can(CORE_PERMISSIONS.auditRead) ? await entityHistory(ctx, ctx.container.get<EntityRegistry>(CORE.Entities), userEntity, user, placeOf(ctx)) : null;
  const isSelf = user !== null && user.id === ctx.user.id;
  // A user the caller may not change is shown, with the reason, rather than offered in a form it would refuse.
  const refusal = user ? await users(ctx).refusal(ctx, user) : null;
  return {
    view: 'base/user-form',
    title: user ? user.name : 'New user',
    status: problem?.status,
    data: {
      user,
      isSelf,
      editable: ctx.can(CORE_PERMISSIONS.userManage) && refusal === null,
      refusal: ctx.can(CORE_PERMISSIONS.userManage) ? refusal : null,
      values: { ...values, company_ids: (values.company_ids ?? []).map(Number) },
      roleChoices: await roleChoices(ctx, values.role_ids ?? []),
      errors: problem?.errors ?? {},
      formError: problem?.message ?? null,
      history,
    },
  };
}
