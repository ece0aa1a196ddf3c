import type { Knex } from 'knex';
import type { RequestContext } from './request-context';
import { CORE_PERMISSIONS, Page, UserPatch, UserService, UserSummary } from './services';
import { AdminReach, companies } from './admin-reach';
import type { RoleServiceImpl } from './role-service';
import { hashPassword, verifyPassword } from './passwords';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { isDuplicateKey } from '../db/db-lock';
import { bumpSecurityVersion } from './security-version';
import { applyKeyset } from '../data/keyset';
import { wherePrefix } from '../db/like';
import { toDate } from '../db/schema-helpers';
import type { AuditLog } from '../data/audit-log';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Users visible to a caller are those sharing at least one company with it. */
export class UserServiceImpl implements UserService {
  constructor(
    private readonly knex: Knex,
    private readonly roles: RoleServiceImpl,
    private readonly audit: AuditLog,
    private readonly reach: AdminReach = new AdminReach(knex),
  ) {}

  async list(ctx: RequestContext, options: { q?: string; after?: string | null; limit?: number }): Promise<Page<UserSummary>> {
    ctx.require(CORE_PERMISSIONS.userRead);
    const query = this.knex('core_users as u').whereExists(this.sharesCompany(ctx)).select('u.*');
    if (options.q) query.where((w) => wherePrefix(w, 'u.email', options.q!).orWhere((o) => wherePrefix(o, 'u.name', options.q!)));
    const page = applyKeyset(query, { sortColumn: 'u.id', idColumn: 'u.id', limit: Math.min(options.limit ?? 50, 200), after: options.after });
    const { data, next_cursor } = page(await query);
    return { data: await this.summaries(data), next_cursor };
  }

  async get(ctx: RequestContext, id: number): Promise<UserSummary> {
    if (id !== ctx.user.id) ctx.require(CORE_PERMISSIONS.userRead);
    const row = await this.knex('core_users as u').where('u.id', id).whereExists(this.sharesCompany(ctx)).first('u.*');
    if (!row) throw new NotFoundError('User');
    return (await this.summaries([row]))[0];
  }

  async create(ctx: RequestContext, input: { email: string; name: string; password: string; role_ids: number[]; company_ids: number[] }): Promise<UserSummary> {
    ctx.require(CORE_PERMISSIONS.userManage);
    const fields: Record<string, string> = {};
    if (!EMAIL.test(input.email ?? '')) fields.email = 'must be an e-mail address';
    if (!input.name?.trim()) fields.name = 'is required';
    if (!input.password || input.password.length < 8) fields.password = 'must be at least 8 characters';
    if (!input.company_ids?.length) fields.company_ids = 'must name at least one company';
    if (Object.keys(fields).length) throw new ValidationError(fields);
    this.assertCompanies(ctx, input.company_ids);
    await this.assertRoles(ctx, input.role_ids ?? []);
    const now = new Date();
    const hash = await hashPassword(input.password);
    try {
      const id = await this.knex.transaction(async (trx) => {
        const [userId] = await trx('core_users').insert({ email: input.email.toLowerCase(), name: input.name.trim(), password_hash: hash, is_active: true, default_company_id: input.company_ids[0], created_at: now, updated_at: now });
        await trx('core_user_companies').insert(input.company_ids.map((company_id) => ({ user_id: userId, company_id })));
        if (input.role_ids?.length) await trx('core_user_roles').insert(input.role_ids.map((role_id) => ({ user_id: userId, role_id })));
        await bumpSecurityVersion(trx);
        await this.audit.record(trx, { companyId: input.company_ids[0], actorId: ctx.user.id, action: 'create', table: 'core_users', recordId: Number(userId), changes: { email: input.email, name: input.name, role_ids: input.role_ids, company_ids: input.company_ids } });
        return Number(userId);
      });
      return this.get(ctx, id);
    } catch (error) {
      throw duplicateEmail(error);
    }
  }

  async update(ctx: RequestContext, id: number, patch: UserPatch): Promise<UserSummary> {
    ctx.require(CORE_PERMISSIONS.userManage);
    const before = await this.get(ctx, id);
    const refusal = await this.reach.userRefusal(ctx, before);
    if (refusal) throw ForbiddenError.because(refusal);
    const isSelf = id === ctx.user.id;
    if (isSelf && patch.role_ids) throw ForbiddenError.because('You cannot change your own roles; ask another administrator.', { role_ids: 'are your own' });
    if (isSelf && patch.is_active === false) throw ForbiddenError.because('You cannot disable yourself; ask another administrator.', { is_active: 'is your own' });
    const fields: Record<string, string> = {};
    if (patch.email !== undefined && !EMAIL.test(patch.email)) fields.email = 'must be an e-mail address';
    if (patch.name !== undefined && !patch.name.trim()) fields.name = 'is required';
    if (patch.password !== undefined && patch.password.length < 8) fields.password = 'must be at least 8 characters';
    if (patch.company_ids !== undefined && patch.company_ids.length === 0) fields.company_ids = 'must name at least one company';
    if (Object.keys(fields).length) throw new ValidationError(fields);
    if (patch.company_ids) this.assertCompanies(ctx, patch.company_ids);
    if (patch.role_ids) await this.assertRoles(ctx, patch.role_ids);
    const changes: Record<string, unknown> = {};
    await this.knex
      .transaction(async (trx) => {
        const columns: Record<string, unknown> = {};
        if (patch.email !== undefined) columns.email = patch.email.trim().toLowerCase();
        if (patch.name !== undefined) columns.name = patch.name.trim();
        if (patch.is_active !== undefined) columns.is_active = patch.is_active;
        if (patch.password !== undefined) columns.password_hash = await hashPassword(patch.password);
        if (Object.keys(columns).length) await trx('core_users').where({ id }).update({ ...columns, updated_at: new Date() });
        Object.assign(changes, columns, columns.password_hash ? { password_hash: '(changed)' } : {});
        if (patch.company_ids) {
          // Only the caller's own companies are touched; memberships elsewhere are not its to change.
          await trx('core_user_companies').where({ user_id: id }).whereIn('company_id', ctx.companyIds).delete();
          await trx('core_user_companies').insert(patch.company_ids.map((company_id) => ({ user_id: id, company_id })));
          changes.company_ids = patch.company_ids;
        }
        if (patch.role_ids) {
          await trx('core_user_roles').where({ user_id: id }).delete();
          if (patch.role_ids.length) await trx('core_user_roles').insert(patch.role_ids.map((role_id) => ({ user_id: id, role_id })));
          changes.role_ids = patch.role_ids;
        }
        await bumpSecurityVersion(trx);
        await this.audit.record(trx, { companyId: before.company_ids[0] ?? ctx.companyId, actorId: ctx.user.id, action: 'update', table: 'core_users', recordId: id, changes });
      })
      .catch((error) => {
        throw duplicateEmail(error);
      });
    return this.get(ctx, id);
  }

  refusal(ctx: RequestContext, user: UserSummary): Promise<string | null> {
    if (!ctx.can(CORE_PERMISSIONS.userManage)) return Promise.resolve(`Missing permission: ${CORE_PERMISSIONS.userManage}`);
    return this.reach.userRefusal(ctx, user);
  }

  async checkOwnPassword(ctx: RequestContext, current: string): Promise<boolean> {
    if (!ctx.user.id) return false;
    const row = await this.knex('core_users').where({ id: ctx.user.id }).first();
    return Boolean(row) && (await verifyPassword(current ?? '', row.password_hash));
  }

  async changeOwnPassword(ctx: RequestContext, current: string, next: string): Promise<void> {
    if (!ctx.user.id) throw new ForbiddenError();
    if (!(await this.checkOwnPassword(ctx, current))) throw new ValidationError({ current_password: 'does not match your password' });
    if (!next || next.length < 8) throw new ValidationError({ new_password: 'must be at least 8 characters' });
    await this.knex('core_users').where({ id: ctx.user.id }).update({ password_hash: await hashPassword(next), updated_at: new Date() });
    await this.audit.record(this.knex, { companyId: ctx.companyId, actorId: ctx.user.id, action: 'password_change', table: 'core_users', recordId: ctx.user.id, changes: {} });
  }

  private sharesCompany(ctx: RequestContext) {
    return (q: Knex.QueryBuilder) => q.select(this.knex.raw('1')).from('core_user_companies as uc').whereRaw('uc.user_id = u.id').whereIn('uc.company_id', ctx.companyIds);
  }

  /** New memberships only in the caller's companies. */
  private assertCompanies(ctx: RequestContext, companyIds: number[]): void {
    const foreign = companyIds.filter((c) => !ctx.companyIds.includes(Number(c))).length;
    if (foreign) throw ForbiddenError.because(`You can only add users to companies you work in; ${companies(foreign)} named here you do not.`, { company_ids: `names ${companies(foreign)} you do not work in` });
  }

  /** Roles must be visible to the caller, and the caller must hold every permission they carry. */
  private async assertRoles(ctx: RequestContext, roleIds: number[]): Promise<void> {
    for (const roleId of roleIds) {
      const role = await this.roles.visibleRole(ctx, roleId);
      if (!role) throw new ValidationError({ role_ids: `role ${roleId} does not exist` });
      if (role.is_super_admin && !ctx.principal.isSuperAdmin) throw ForbiddenError.because('Only a super admin can give the super admin role.', { role_ids: 'only a super admin can give the super admin role' });
      const notHeld = role.permissions.filter((p) => !ctx.can(p));
      if (notHeld.length) throw ForbiddenError.because('You can only give roles whose permissions you hold yourself.', { role_ids: `role ${role.name} carries what you do not hold: ${notHeld.join(', ')}` });
    }
  }

  private async summaries(rows: any[]): Promise<UserSummary[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const companies = await this.knex('core_user_companies').whereIn('user_id', ids);
    const roles = await this.knex('core_user_roles').whereIn('user_id', ids);
    return rows.map((r) => ({
      id: Number(r.id),
      email: r.email,
      name: r.name,
      is_active: Boolean(r.is_active),
      company_ids: companies.filter((c: any) => c.user_id === r.id).map((c: any) => Number(c.company_id)),
      role_ids: roles.filter((c: any) => c.user_id === r.id).map((c: any) => Number(c.role_id)),
      last_login_at: toDate(r.last_login_at),
    }));
  }
}

function duplicateEmail(error: unknown): unknown {
  return isDuplicateKey(error) ? new ConflictError('A user with this e-mail exists', { email: 'is already used' }) : error;
}
