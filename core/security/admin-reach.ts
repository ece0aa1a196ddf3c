import type { Knex } from 'knex';
import type { RequestContext } from './request-context';

/**
 * How far a sub-admin (anyone but a super admin) reaches. Permissions are held across all of a user's
 * companies, so changing a user (their password, e-mail, name, roles, companies, active flag), or a role
 * they hold, acts in every company they work in. A sub-admin may do it only when each of those
 * companies is one of its own, and only to users holding no more than it holds itself.
 *
 * Refusals name how many companies are out of reach, never which: those are not the caller's to see.
 */
export class AdminReach {
  constructor(private readonly knex: Knex) {}

  /** Why the caller may not change this user, or null when it may. */
  async userRefusal(ctx: RequestContext, user: { id: number; company_ids: number[]; role_ids: number[] }): Promise<string | null> {
    if (ctx.principal.isSuperAdmin) return null;
    const outside = user.company_ids.filter((c) => !ctx.companyIds.includes(Number(c))).length;
    if (outside > 0) return `This user also works in ${companies(outside)} you do not manage; only someone who manages all of their companies can change them.`;
    if (user.id === ctx.user.id) return null;
    const roles = await this.rolesWithPermissions(user.role_ids);
    if (roles.some((r) => r.isSuperAdmin)) return 'This user is a super admin; only a super admin can change them.';
    const unseen = roles.some((r) => r.companyId !== null && !ctx.companyIds.includes(r.companyId));
    const beyond = roles.some((r) => r.permissions.some((p) => !ctx.can(p)));
    if (unseen || beyond) return 'This user holds permissions you do not hold; only someone who holds them can change this user.';
    return null;
  }

  /** Why the caller may not change this role (its name, description or permissions), or null. */
  async roleRefusal(ctx: RequestContext, role: { id: number; company_id: number | null; is_super_admin: boolean }): Promise<string | null> {
    if (ctx.principal.isSuperAdmin) return null;
    if (role.is_super_admin) return 'This is the super admin role; only a super admin can change it.';
    if (role.company_id === null) return 'This role is shared by every company; only a super admin can change it.';
    const outside = await this.knex('core_user_roles as ur')
      .join('core_user_companies as uc', 'uc.user_id', 'ur.user_id')
      .where('ur.role_id', role.id)
      .whereNotIn('uc.company_id', ctx.companyIds)
      .countDistinct({ n: 'uc.company_id' })
      .first();
    const count = Number(outside?.n ?? 0);
    if (count > 0) return `Users holding this role also work in ${companies(count)} you do not manage; only someone who manages all of their companies can change it.`;
    return null;
  }

  private async rolesWithPermissions(roleIds: number[]): Promise<Array<{ companyId: number | null; isSuperAdmin: boolean; permissions: string[] }>> {
    if (!roleIds.length) return [];
    const rows = await this.knex('core_roles as r').leftJoin('core_role_permissions as rp', 'rp.role_id', 'r.id').whereIn('r.id', roleIds).select('r.id', 'r.company_id', 'r.is_super_admin', 'rp.permission');
    const byRole = new Map<number, { companyId: number | null; isSuperAdmin: boolean; permissions: string[] }>();
    for (const row of rows) {
      const id = Number(row.id);
      const role = byRole.get(id) ?? { companyId: row.company_id == null ? null : Number(row.company_id), isSuperAdmin: Boolean(row.is_super_admin), permissions: [] };
      if (row.permission) role.permissions.push(row.permission);
      byRole.set(id, role);
    }
    return [...byRole.values()];
  }
}

export function companies(count: number): string {
  return `${count} ${count === 1 ? 'company' : 'companies'}`;
}
