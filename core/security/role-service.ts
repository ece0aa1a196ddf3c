import type { Knex } from 'knex';
import type { RequestContext } from './request-context';
import { CORE_PERMISSIONS, PermissionDef, Role, RoleService } from './services';
import type { PermissionCatalog } from './permission-catalog';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { isDuplicateKey } from '../db/db-lock';
import { bumpSecurityVersion } from './security-version';
import type { AuditLog } from '../data/audit-log';
import { AdminReach } from './admin-reach';

/**
 * Roles are sets of permissions. A caller may only put into a role permissions it holds itself, and
 * only a super admin may touch a super admin role: an access-rights admin cannot raise itself.
 */
export class RoleServiceImpl implements RoleService {
  constructor(
    private readonly knex: Knex,
    private readonly catalog: PermissionCatalog,
    private readonly audit: AuditLog,
    private readonly reach: AdminReach = new AdminReach(knex),
  ) {}

  async list(ctx: RequestContext): Promise<Role[]> {
    ctx.require(CORE_PERMISSIONS.roleRead);
    const rows = await this.visible(ctx).orderBy('name');
    return this.withPermissions(rows);
  }

  async get(ctx: RequestContext, id: number): Promise<Role> {
    ctx.require(CORE_PERMISSIONS.roleRead);
    const row = await this.visible(ctx).where({ id }).first();
    if (!row) throw new NotFoundError('Role');
    return (await this.withPermissions([row]))[0];
  }

  /** A role in the caller's scope (its companies' and shared ones), without asking for core.role.read. */
  async visibleRole(ctx: RequestContext, id: number): Promise<Role | null> {
    const row = await this.visible(ctx).where({ id }).first();
    return row ? (await this.withPermissions([row]))[0] : null;
  }

  refusal(ctx: RequestContext, role: Role): Promise<string | null> {
    if (!ctx.can(CORE_PERMISSIONS.roleManage)) return Promise.resolve(`Missing permission: ${CORE_PERMISSIONS.roleManage}`);
    return this.reach.roleRefusal(ctx, role);
  }

  async create(ctx: RequestContext, input: { name: string; description?: string; permissions: string[]; company_id?: number | null }): Promise<Role> {
    ctx.require(CORE_PERMISSIONS.roleManage);
    const companyId = input.company_id === undefined ? ctx.companyId : input.company_id;
    if (companyId === null && !ctx.principal.isSuperAdmin) throw new ForbiddenError('super admin (roles shared by all companies)');
    if (companyId !== null) this.assertCompany(ctx, companyId);
    this.assertName(input.name);
    const permissions = this.checkGrantable(ctx, input.permissions);
    const now = new Date();
    try {
      const id = await this.knex.transaction(async (trx) => {
        const [roleId] = await trx('core_roles').insert({ company_id: companyId, name: input.name.trim(), description: input.description ?? '', is_super_admin: false, created_at: now, updated_at: now });
        if (permissions.length) await trx('core_role_permissions').insert(permissions.map((permission) => ({ role_id: roleId, permission })));
        await bumpSecurityVersion(trx);
        await this.audit.record(trx, { companyId: companyId ?? ctx.companyId, actorId: ctx.user.id, action: 'create', table: 'core_roles', recordId: Number(roleId), changes: { name: input.name, permissions } });
        return Number(roleId);
      });
      return this.get(ctx, id);
    } catch (error) {
      if (isDuplicateKey(error)) throw new ConflictError('A role with this name exists', { name: 'is already used' });
      throw error;
    }
  }

  async update(ctx: RequestContext, id: number, patch: { name?: string; description?: string; permissions?: string[] }): Promise<Role> {
    ctx.require(CORE_PERMISSIONS.roleManage);
    const role = await this.get(ctx, id);
    const refusal = await this.reach.roleRefusal(ctx, role);
    if (refusal) throw ForbiddenError.because(refusal);
    if (patch.name !== undefined) this.assertName(patch.name);
    const changes: Record<string, unknown> = {};
    await this.knex.transaction(async (trx) => {
      const columns: Record<string, unknown> = {};
      if (patch.name !== undefined) columns.name = patch.name.trim();
      if (patch.description !== undefined) columns.description = patch.description;
      if (Object.keys(columns).length) await trx('core_roles').where({ id }).update({ ...columns, updated_at: new Date() });
      Object.assign(changes, columns);
      if (patch.permissions) {
        // Permissions the caller lacks but the role already has stay as they are: the caller may only
        // add or remove what it holds.
        const requested = new Set(patch.permissions);
        const added = [...requested].filter((p) => !role.permissions.includes(p));
        const removed = role.permissions.filter((p) => !requested.has(p));
        this.checkGrantable(ctx, [...added, ...removed]);
        if (removed.length) await trx('core_role_permissions').where({ role_id: id }).whereIn('permission', removed).delete();
        if (added.length) await trx('core_role_permissions').insert(added.map((permission) => ({ role_id: id, permission })));
        changes.permissions = { added, removed };
      }
      await bumpSecurityVersion(trx);
      await this.audit.record(trx, { companyId: role.company_id ?? ctx.companyId, actorId: ctx.user.id, action: 'update', table: 'core_roles', recordId: id, changes });
    }).catch((error) => {
      if (isDuplicateKey(error)) throw new ConflictError('A role with this name exists', { name: 'is already used' });
      throw error;
    });
    return this.get(ctx, id);
  }

  async remove(ctx: RequestContext, id: number): Promise<void> {
    ctx.require(CORE_PERMISSIONS.roleManage);
    const role = await this.get(ctx, id);
    if (role.is_super_admin) throw new ConflictError('The super admin role cannot be deleted');
    const refusal = await this.reach.roleRefusal(ctx, role);
    if (refusal) throw ForbiddenError.because(refusal);
    this.checkGrantable(ctx, role.permissions);
    const holders = await this.knex('core_user_roles').where({ role_id: id }).count({ n: '*' }).first();
    if (Number(holders?.n ?? 0) > 0) throw new ConflictError(`The role is given to ${holders?.n} user(s); take it from them first`);
    await this.knex('core_roles').where({ id }).delete();
    await bumpSecurityVersion(this.knex);
    await this.audit.record(this.knex, { companyId: role.company_id ?? ctx.companyId, actorId: ctx.user.id, action: 'delete', table: 'core_roles', recordId: id, changes: { name: role.name } });
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
    const unique = [...new Set(permissions)];
    const unknown = unique.filter((p) => !this.catalog.has(p));
    if (unknown.length) throw new ValidationError({ permissions: `unknown permission(s): ${unknown.join(', ')}` });
    const notHeld = unique.filter((p) => !ctx.can(p));
    if (notHeld.length) {
      throw ForbiddenError.because('You can only grant permissions you hold yourself', { permissions: `you cannot grant what you do not hold: ${notHeld.join(', ')}` });
    }
    return unique;
  }

  private visible(ctx: RequestContext): Knex.QueryBuilder {
    return this.knex('core_roles').where((w) => w.whereIn('company_id', ctx.companyIds).orWhereNull('company_id'));
  }

  private assertCompany(ctx: RequestContext, companyId: number): void {
    if (!ctx.companyIds.includes(Number(companyId))) throw ForbiddenError.because('You can only make roles for companies you work in.', { company_id: 'is not one of your companies' });
  }

  private assertName(name: string): void {
    if (!name || !name.trim()) throw new ValidationError({ name: 'is required' });
    if (name.length > 100) throw new ValidationError({ name: 'must be at most 100 characters' });
  }

  private async withPermissions(rows: any[]): Promise<Role[]> {
    if (!rows.length) return [];
    const grants = await this.knex('core_role_permissions').whereIn('role_id', rows.map((r) => r.id)).orderBy('permission');
    return rows.map((r) => ({
      id: Number(r.id),
      company_id: r.company_id == null ? null : Number(r.company_id),
      name: r.name,
      description: r.description,
      is_super_admin: Boolean(r.is_super_admin),
      permissions: grants.filter((g: any) => Number(g.role_id) === Number(r.id)).map((g: any) => g.permission),
    }));
  }
}
