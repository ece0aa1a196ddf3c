import type { Knex } from 'knex';
import type { RequestContext } from './request-context';
import { CORE_PERMISSIONS, UserService, UserSummary } from './services';
import { AdminReach, companies } from './admin-reach';
import type { RoleServiceImpl } from './role-service';
import { hashPassword, verifyPassword } from './passwords';
import { ForbiddenError, ValidationError } from '../errors';
import { bumpSecurityVersion } from './security-version';
import type { AuditLog } from '../data/audit-log';
import { EntityService, type EntityHooks } from '../resources/entity-service';
import type { EntityRegistry } from '../resources/entity-registry';
import type { EntityPatch } from '../resources/entity-types';
import { userEntity } from './user-entity';

type Values = Record<string, unknown>;

/**
 * Users on the resource layer: the user entity's scope (sharing a company with the caller), field
 * rules, unique e-mail, hashed password, keyset list and audit trail. What is special is here: a user's
 * companies and roles live in link tables; a sub-admin reaches only users all of whose companies it
 * manages and who hold nothing it does not, gives only roles it could have made, and nobody changes
 * their own roles or switches themselves off.
 */
export class UserServiceImpl extends EntityService<typeof userEntity, UserSummary> implements UserService {
  constructor(
    private readonly knex: Knex,
    roles: RoleServiceImpl,
    private readonly audit: AuditLog,
    registry: EntityRegistry,
    private readonly reach: AdminReach = new AdminReach(knex),
  ) {
    super(userEntity, { fullName: 'core.user', registry, hooks: userHooks(roles) });
  }

  /** One's own user is readable without core.user.read (the account pages show it). */
  override async get(ctx: RequestContext, id: number): Promise<UserSummary> {
    return Number(id) === ctx.user.id ? this.getUnchecked(ctx, id) : super.get(ctx, id);
  }

  /** The reach and the self rules are checked before the write's transaction: the reach reads through its own connection. */
  override async update(ctx: RequestContext, id: number, patch: EntityPatch<typeof userEntity>): Promise<UserSummary> {
    ctx.require(CORE_PERMISSIONS.userManage);
    const before = await this.get(ctx, id);
    const refusal = await this.reach.userRefusal(ctx, before);
    if (refusal) throw ForbiddenError.because(refusal);
    if (before.id === ctx.user.id && patch.role_ids) throw ForbiddenError.because('You cannot change your own roles; ask another administrator.', { role_ids: 'are your own' });
    if (before.id === ctx.user.id && patch.is_active === false) throw ForbiddenError.because('You cannot disable yourself; ask another administrator.', { is_active: 'is your own' });
    // Answered as written, completed with its companies and roles inside the write's transaction.
    return super.update(ctx, id, patch);
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

  /** Needs no user permission, only the current password: not an entity update. */
  async changeOwnPassword(ctx: RequestContext, current: string, next: string): Promise<void> {
    if (!ctx.user.id) throw new ForbiddenError();
    if (!(await this.checkOwnPassword(ctx, current))) throw new ValidationError({ current_password: 'does not match your password' });
    if (!next || next.length < 8) throw new ValidationError({ new_password: 'must be at least 8 characters' });
    await this.knex('core_users').where({ id: ctx.user.id }).update({ password_hash: await hashPassword(next), updated_at: new Date() });
    await this.audit.record(this.knex, { companyId: ctx.companyId, actorId: ctx.user.id, action: 'password_change', table: 'core_users', recordId: ctx.user.id, changes: {} });
  }

  /** Every read carries the user's companies and roles, from their link tables. */
  protected override async complete(ctx: RequestContext, users: UserSummary[]): Promise<UserSummary[]> {
    if (!users.length) return [];
    const knex = ctx.db.unscoped("a user's companies and roles, for users the scope already let through");
    const ids = users.map((u) => u.id);
    const [memberships, grants] = await Promise.all([
      knex('core_user_companies').whereIn('user_id', ids).select('user_id', 'company_id'),
      knex('core_user_roles').whereIn('user_id', ids).select('user_id', 'role_id'),
    ]);
    const companiesOf = byUser(memberships, 'company_id');
    const rolesOf = byUser(grants, 'role_id');
    return users.map((u) => ({ ...u, company_ids: companiesOf.get(u.id) ?? [], role_ids: rolesOf.get(u.id) ?? [] }));
  }
}

/** Link rows grouped by user, in one pass (a page of 200 users reads as many rows again). */
function byUser(rows: Values[], column: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const row of rows) {
    const id = Number(row.user_id);
    const list = out.get(id);
    if (list) list.push(Number(row[column]));
    else out.set(id, [Number(row[column])]);
  }
  // Ascending, without an ORDER BY the database would sort for (MariaDB sorts the IN list's rows).
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

/** New memberships only in the caller's companies. */
function assertCompanies(ctx: RequestContext, companyIds: number[]): void {
  const foreign = companyIds.filter((c) => !ctx.companyIds.includes(Number(c))).length;
  if (foreign) throw ForbiddenError.because(`You can only add users to companies you work in; ${companies(foreign)} named here you do not.`, { company_ids: `names ${companies(foreign)} you do not work in` });
}

/** Roles must be visible to the caller, and the caller must hold every permission they carry. */
async function assertRoles(ctx: RequestContext, roles: RoleServiceImpl, roleIds: number[]): Promise<void> {
  for (const roleId of roleIds) {
    const role = await roles.visibleRole(ctx, roleId);
    if (!role) throw new ValidationError({ role_ids: `role ${roleId} does not exist` });
    if (role.is_super_admin && !ctx.principal.isSuperAdmin) throw ForbiddenError.because('Only a super admin can give the super admin role.', { role_ids: 'only a super admin can give the super admin role' });
    const notHeld = role.permissions.filter((p) => !ctx.can(p));
    if (notHeld.length) throw ForbiddenError.because('You can only give roles whose permissions you hold yourself.', { role_ids: `role ${role.name} carries what you do not hold: ${notHeld.join(', ')}` });
  }
}

/** Replaces a user's rows in a link table with `wanted`, touching only what changes. */
async function relink(knex: Knex, table: string, column: string, userId: number, had: number[], wanted: number[]): Promise<void> {
  const removed = had.filter((id) => !wanted.includes(id));
  const added = wanted.filter((id) => !had.includes(id));
  if (removed.length) await knex(table).where({ user_id: userId }).whereIn(column, removed).delete();
  if (added.length) await knex(table).insert(added.map((id) => ({ user_id: userId, [column]: id })));
}

/** What the resource layer cannot know about users: whom they may be given to, and their link rows. */
function userHooks(roles: RoleServiceImpl): EntityHooks<UserSummary> {
  return {
    async beforeCreate(ctx, values) {
      const companyIds = values.company_ids as number[];
      assertCompanies(ctx, companyIds);
      await assertRoles(ctx, roles, (values.role_ids as number[]) ?? []);
      return { email: String(values.email).toLowerCase(), default_company_id: companyIds[0] };
    },
    async beforeUpdate(ctx, changes, before) {
      const extra: Values = {};
      if (changes.company_ids) {
        assertCompanies(ctx, changes.company_ids as number[]);
        // Memberships in companies the caller does not work in are not its to change: they stay.
        extra.company_ids = [...new Set([...(changes.company_ids as number[]), ...before.company_ids.filter((c) => !ctx.companyIds.includes(c))])];
      }
      if (changes.role_ids) await assertRoles(ctx, roles, changes.role_ids as number[]);
      if (typeof changes.email === 'string') extra.email = changes.email.toLowerCase();
      return extra;
    },
    async afterWrite(ctx, { row, before, values }) {
      const knex = ctx.db.unscoped("a user's companies, roles and the security version are no company rows");
      if (row && values?.company_ids) await relink(knex, 'core_user_companies', 'company_id', row.id, before?.company_ids ?? [], values.company_ids as number[]);
      if (row && values?.role_ids) await relink(knex, 'core_user_roles', 'role_id', row.id, before?.role_ids ?? [], values.role_ids as number[]);
      await bumpSecurityVersion(knex);
    },
  };
}
