import type { Knex } from 'knex';
import type { RequestContext } from './request-context';
import { CORE_PERMISSIONS, PermissionDef, Role, RoleService } from './services';
import type { PermissionCatalog } from './permission-catalog';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import { bumpSecurityVersion } from './security-version';
import { AdminReach } from './admin-reach';
import { EntityService, type EntityHooks } from '../resources/entity-service';
import type { EntityRegistry } from '../resources/entity-registry';
import type { EntityPageOptions } from '../resources/entity-types';
import { roleEntity } from './role-entity';

type Values = Record<string, unknown>;

/**
 * Roles are sets of permissions, on the resource layer: the role entity's scope, field rules, unique
 * name, stamps and audit trail; what is special is here. A caller may only put into a role permissions
 * it holds itself, and only a super admin may touch a super admin role: an access-rights admin cannot
 * raise itself.
 */
export class RoleServiceImpl extends EntityService<typeof roleEntity, Role> implements RoleService {
  constructor(
    private readonly knex: Knex,
    private readonly catalog: PermissionCatalog,
    registry: EntityRegistry,
    private readonly reach: AdminReach = new AdminReach(knex),
  ) {
    super(roleEntity, { fullName: 'core.role', registry, hooks: roleHooks(catalog) });
  }

  override async list(ctx: RequestContext, options: Omit<EntityPageOptions, 'after'> = {}): Promise<Role[]> {
    return this.withPermissions(ctx, await super.list(ctx, options));
  }

  /** Every read of one role (get, and the row an update or delete starts from) carries its permissions. */
  protected override async getUnchecked(ctx: RequestContext, id: number): Promise<Role> {
    return (await this.withPermissions(ctx, [await super.getUnchecked(ctx, id)]))[0];
  }

  /** A role in the caller's scope (its companies' and shared ones), without asking for core.role.read. */
  async visibleRole(ctx: RequestContext, id: number): Promise<Role | null> {
    const raw = Number.isSafeInteger(Number(id)) ? await this.rows(ctx).findById(Number(id)) : undefined;
    return raw ? (await this.withPermissions(ctx, [this.toRow(raw)]))[0] : null;
  }

  refusal(ctx: RequestContext, role: Role): Promise<string | null> {
    if (!ctx.can(CORE_PERMISSIONS.roleManage)) return Promise.resolve(`Missing permission: ${CORE_PERMISSIONS.roleManage}`);
    return this.reach.roleRefusal(ctx, role);
  }

  override async create(ctx: RequestContext, input: { name: string; description?: string; permissions: string[]; company_id?: number | null }): Promise<Role> {
    const role = await super.create(ctx, { ...input, company_id: input.company_id === undefined ? ctx.companyId : input.company_id });
    return this.get(ctx, role.id);
  }

  override async update(ctx: RequestContext, id: number, patch: { name?: string; description?: string; permissions?: string[] }): Promise<Role> {
    await this.refuseOutOfReach(ctx, id);
    await super.update(ctx, id, patch);
    return this.get(ctx, id);
  }

  override async remove(ctx: RequestContext, id: number): Promise<void> {
    await this.refuseOutOfReach(ctx, id, (role) => {
      if (role.is_super_admin) throw new ConflictError('The super admin role cannot be deleted');
    });
    await super.remove(ctx, id);
  }

  /** Checked before the write's transaction: the reach reads through its own connection. */
  private async refuseOutOfReach(ctx: RequestContext, id: number, first?: (role: Role) => void): Promise<void> {
    ctx.require(CORE_PERMISSIONS.roleManage);
    const role = await this.get(ctx, id);
    first?.(role);
    const refusal = await this.reach.roleRefusal(ctx, role);
    if (refusal) throw ForbiddenError.because(refusal);
  }

  async grantable(ctx: RequestContext): Promise<Array<{ module: string; permissions: Array<PermissionDef & { grantable: boolean }> }>> {
    ctx.require(CORE_PERMISSIONS.roleRead);
    return this.catalog.grouped().map((group) => ({
      module: group.module,
      permissions: group.permissions.map((p) => ({ ...p, grantable: ctx.can(p.name) })),
    }));
  }

  /** Validates names and refuses any the caller does not hold; returns them de-duplicated. */
  checkGrantable(ctx: RequestContext, permissions: string[]): string[] {
    return grantableOnly(this.catalog, ctx, permissions);
  }

  override toRow(raw: Values): Role {
    return { ...(super.toRow(raw) as Omit<Role, 'company_id'>), company_id: raw.company_id == null ? null : Number(raw.company_id), description: String(raw.description ?? '') };
  }

  /** Rows as read from core_roles, with their permissions from core_role_permissions. */
  private async withPermissions(ctx: RequestContext, roles: Role[]): Promise<Role[]> {
    if (!roles.length) return [];
    const knex = ctx.db.unscoped('role permissions belong to roles the scope already checked');
    const grants = await knex('core_role_permissions').whereIn('role_id', roles.map((r) => r.id)).orderBy('permission');
    return roles.map((r) => ({ ...r, permissions: grants.filter((g: Values) => Number(g.role_id) === r.id).map((g: Values) => String(g.permission)) }));
  }
}

function grantableOnly(catalog: PermissionCatalog, ctx: RequestContext, permissions: string[]): string[] {
  const unique = [...new Set(permissions)];
  const unknown = unique.filter((p) => !catalog.has(p));
  if (unknown.length) throw new ValidationError({ permissions: `unknown permission(s): ${unknown.join(', ')}` });
  const notHeld = unique.filter((p) => !ctx.can(p));
  if (notHeld.length) {
    throw ForbiddenError.because('You can only grant permissions you hold yourself', { permissions: `you cannot grant what you do not hold: ${notHeld.join(', ')}` });
  }
  return unique;
}

/** What the resource layer cannot know about roles: who may make them, what they may grant, their permission rows. */
function roleHooks(catalog: PermissionCatalog): EntityHooks<Role> {
  return {
    async beforeCreate(ctx, values) {
      const companyId = values.company_id as number | null;
      if (companyId === null && !ctx.principal.isSuperAdmin) throw new ForbiddenError('super admin (roles shared by all companies)');
      if (companyId !== null && !ctx.companyIds.includes(Number(companyId))) {
        throw ForbiddenError.because('You can only make roles for companies you work in.', { company_id: 'is not one of your companies' });
      }
      grantableOnly(catalog, ctx, (values.permissions as string[]) ?? []);
      return { company_id: companyId, is_super_admin: false, name: String(values.name).trim(), description: values.description ?? '' };
    },
    async beforeUpdate(ctx, changes, before) {
      if (changes.permissions) {
        // Permissions the caller lacks but the role already has stay as they are: the caller may only
        // add or remove what it holds.
        const requested = new Set(changes.permissions as string[]);
        grantableOnly(catalog, ctx, [...[...requested].filter((p) => !before.permissions.includes(p)), ...before.permissions.filter((p) => !requested.has(p))]);
      }
      const extra: Values = {};
      if (typeof changes.name === 'string') extra.name = changes.name.trim();
      if ('description' in changes) extra.description = changes.description ?? '';
      return extra;
    },
    async beforeRemove(ctx, role) {
      grantableOnly(catalog, ctx, role.permissions);
      const knex = ctx.db.unscoped('who holds a role is no company row');
      const holders = await knex('core_user_roles').where({ role_id: role.id }).count({ n: '*' }).first();
      if (Number(holders?.n ?? 0) > 0) throw new ConflictError(`The role is given to ${holders?.n} user(s); take it from them first`);
    },
    async afterWrite(ctx, { action, row, before, values }) {
      const knex = ctx.db.unscoped('role permissions and the security version are no company rows');
      const wanted = values?.permissions as string[] | undefined;
      if (row && wanted) {
        const had = action === 'create' ? [] : (before?.permissions ?? []);
        const removed = had.filter((p) => !wanted.includes(p));
        const added = wanted.filter((p) => !had.includes(p));
        if (removed.length) await knex('core_role_permissions').where({ role_id: row.id }).whereIn('permission', removed).delete();
        if (added.length) await knex('core_role_permissions').insert(added.map((permission) => ({ role_id: row.id, permission })));
      }
      await bumpSecurityVersion(knex);
    },
  };
}
