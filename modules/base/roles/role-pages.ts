import {
  type PageOverride,
  type PagePart,
  type PageResult,
  CORE,
  CORE_PERMISSIONS,
  type Role,
  type RoleService,
  type RequestContext,
  attempt,
  FormBody,
  FormProblem,
  formList as list,
  requireId,
  text,
} from 'tessera/core';
import { BASE } from '../api';
import type { AuditTrail } from '../audit/audit-trail';
import { permissionGroups } from './permission-groups';

const roles = (ctx: RequestContext) => ctx.container.get<RoleService>(CORE.Roles);

/**
 * Settings → Roles: the role entity's pages (paths and permissions derived from its declaration), with
 * handlers of their own: permissions are picked by checkboxes grouped by module, and what the caller
 * does not hold stays as it is.
 */
export function rolePages(): Partial<Record<PagePart, PageOverride>> {
  return {
    list: {
      async handler(ctx) {
        return { view: 'base/roles-list', title: 'Roles', data: { rows: await roles(ctx).list(ctx) } };
      },
    },
    new: {
      async handler(ctx) {
        return roleForm(ctx, null, { name: '', description: '', permissions: [], company_id: String(ctx.companyId) });
      },
    },
    create: {
      async handler(ctx, { body }) {
        const values = { name: text(body, 'name'), description: text(body, 'description'), permissions: list(body, 'permissions') };
        const company = text(body, 'company_id');
        const companyId = company === 'shared' ? null : company ? Number(company) : undefined;
        const result = await attempt(() => roles(ctx).create(ctx, { ...values, company_id: companyId }));
        if (!result.ok) return roleForm(ctx, null, { ...values, company_id: company }, result);
        return { redirect: `/admin/roles/${result.value.id}`, flash: { type: 'success', message: `Role ${result.value.name} created.` } };
      },
    },
    record: {
      async handler(ctx, { params }) {
        const role = await roles(ctx).get(ctx, requireId(params.id));
        return roleForm(ctx, role, role);
      },
    },
    update: {
      async handler(ctx, { params, body }) {
        const role = await roles(ctx).get(ctx, requireId(params.id));
        const values = { name: text(body, 'name'), description: text(body, 'description'), permissions: await submittedPermissions(ctx, body, role) };
        const patch = role.is_super_admin ? { name: values.name, description: values.description } : values;
        const result = await attempt(() => roles(ctx).update(ctx, role.id, patch));
        if (!result.ok) return roleForm(ctx, role, { ...role, ...values }, result);
        return { redirect: `/admin/roles/${role.id}`, flash: { type: 'success', message: `Role ${result.value.name} saved.` } };
      },
    },
    remove: {
      async handler(ctx, { params }) {
        const role = await roles(ctx).get(ctx, requireId(params.id));
        const result = await attempt(() => roles(ctx).remove(ctx, role.id));
        if (!result.ok) return { redirect: `/admin/roles/${role.id}`, flash: { type: 'error', message: result.message } };
        return { redirect: '/admin/roles', flash: { type: 'success', message: `Role ${role.name} deleted.` } };
      },
    },
  };
}

/**
 * The checked boxes, plus what the role already has that the caller cannot grant: those boxes are
 * disabled, so the browser does not send them, and leaving them out would read as removing them.
 */
async function submittedPermissions(ctx: RequestContext, body: FormBody, role: Role): Promise<string[]> {
  const checked = list(body, 'permissions');
  const untouchable = role.permissions.filter((p) => !ctx.can(p));
  return [...new Set([...checked, ...untouchable])];
}

async function roleForm(ctx: RequestContext, role: Role | null, values: { name: string; description: string; permissions: string[]; company_id?: unknown }, problem?: FormProblem): Promise<PageResult> {
  const trail = ctx.container.get<AuditTrail>(BASE.AuditTrail);
  const history = role && trail.canRead(ctx) ? await trail.forCheckedRecord(ctx, 'core_roles', role.id) : null;
  const groups = permissionGroups(await roles(ctx).grantable(ctx), values.permissions);
  const refusal = role ? await roles(ctx).refusal(ctx, role) : ctx.can(CORE_PERMISSIONS.roleManage) ? null : `Missing permission: ${CORE_PERMISSIONS.roleManage}`;
  return {
    view: 'base/role-form',
    title: role ? `Role ${role.name}` : 'New role',
    status: problem?.status,
    data: {
      role,
      values: { ...values, company_id: values.company_id === null ? 'shared' : String(values.company_id ?? '') },
      groups,
      editable: refusal === null,
      // Readers are not told why they cannot edit: they lack the permission, which the menu already says.
      refusal: ctx.can(CORE_PERMISSIONS.roleManage) ? refusal : null,
      canShare: ctx.principal.isSuperAdmin,
      errors: problem?.errors ?? {},
      formError: problem?.message ?? null,
      history,
    },
  };
}
