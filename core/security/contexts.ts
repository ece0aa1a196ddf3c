import type { Container } from 'inversify';
import type { Knex } from 'knex';
import { Principal, RequestContext } from './request-context';
import type { PermissionCatalog } from './permission-catalog';
import { ScopedDb, ScopedDbServices } from '../data/scoped-db';
import { securityVersionSubquery } from './security-version';
import { ForbiddenError, NotFoundError } from '../errors';
import type { DomainEvent } from '../modules/module-api';

/**
 * Builds request contexts: who a user is, which companies they may see and what they may do.
 * Jobs and the CLI use it too, so a job started by a user acts with exactly that user's rights.
 */
interface UserAccess {
  isSuperAdmin: boolean;
  permissions: ReadonlySet<string>;
  companies: NonNullable<Principal['companies']>;
}

export class Contexts {
  /** What a user may do, per user and security counter; only ever a shortcut, never the truth. */
  private readonly accessCache = new Map<string, UserAccess>();

  constructor(
    private readonly knex: Knex,
    private readonly catalog: PermissionCatalog,
    private readonly services: ScopedDbServices,
    private readonly container: Container,
  ) {}

  async principalForUser(userId: number, activeCompanyId?: number | null, via: Principal['via'] = 'session'): Promise<Principal | null> {
    // The user row and the security counter in one query: with an unchanged counter, what was loaded
    // for this user before still holds, and every request saves the role and company queries.
    const user = await this.knex('core_users as u').where('u.id', userId).first('u.*', securityVersionSubquery(this.knex).as('security_version'));
    return this.principalFromRow(user, activeCompanyId, via);
  }

  /** The principal of a user row read with its `security_version` (by id above, or with a bearer token). */
  async principalFromRow(user: Record<string, any> | undefined | null, activeCompanyId?: number | null, via: Principal['via'] = 'session'): Promise<Principal | null> {
    if (!user || !user.is_active) return null;
    const userId = Number(user.id);
    const key = `${userId}@${user.security_version ?? 0}`;
    let access = this.accessCache.get(key);
    if (!access) {
      access = await this.loadAccess(userId);
      if (this.accessCache.size >= 2000) this.accessCache.clear();
      this.accessCache.set(key, access);
    }
    const { companies, isSuperAdmin, permissions } = access;
    const companyIds = companies.map((c) => c.id).sort((a, b) => a - b);
    const preferred = [activeCompanyId, user.default_company_id].map((v) => (v == null ? null : Number(v)));
    const companyId = preferred.find((c) => c !== null && companyIds.includes(c)) ?? companyIds[0] ?? 0;
    return { userId: Number(user.id), email: user.email, name: user.name, companyIds, companyId, permissions, isSuperAdmin, via, companies };
  }

  private async loadAccess(userId: number): Promise<UserAccess> {
    // Roles and their permissions in one query.
    const grants = await this.knex('core_user_roles as ur')
      .join('core_roles as r', 'r.id', 'ur.role_id')
      .leftJoin('core_role_permissions as rp', 'rp.role_id', 'r.id')
      .where('ur.user_id', userId)
      .select('r.is_super_admin', 'rp.permission');
    const isSuperAdmin = grants.some((g: any) => Boolean(g.is_super_admin));
    const granted = grants.map((g: any) => g.permission).filter((p: string | null): p is string => Boolean(p));
    const companyRows = isSuperAdmin
      ? await this.knex('core_companies').orderBy('name').select('id', 'code', 'name', 'currency', 'timezone')
      : await this.knex('core_user_companies as uc').join('core_companies as c', 'c.id', 'uc.company_id').where('uc.user_id', userId).orderBy('c.name').select('c.id', 'c.code', 'c.name', 'c.currency', 'c.timezone');
    return {
      isSuperAdmin,
      permissions: isSuperAdmin ? new Set(this.catalog.all().map((p) => p.name)) : this.catalog.expand(granted),
      companies: companyRows.map((c: any) => ({ id: Number(c.id), code: c.code, name: c.name, currency: c.currency, timezone: c.timezone })),
    };
  }

  contextFor(principal: Principal, db: Knex | Knex.Transaction = this.knex): RequestContext {
    return new RequestContext(principal, new ScopedDb(db, principal, this.services), this.container);
  }

  /** The context of a user, e.g. for a job they started. Throws when the user is gone or disabled. */
  async forUser(userId: number, companyId?: number | null): Promise<RequestContext> {
    const principal = await this.principalForUser(userId, companyId, 'system');
    if (!principal) throw new Error(`User ${userId} is not active`);
    // A session may fall back to another of the user's companies; work asked for in a given company
    // (a job, a command) must not quietly run in a different one.
    if (companyId != null && principal.companyId !== Number(companyId)) {
      throw new ForbiddenError(`User ${userId} has no access to company ${companyId}`);
    }
    return this.contextFor(principal);
  }

  /** A context with every permission over the given companies: for seeding and maintenance commands. */
  system(companyIds: number[], companyId = companyIds[0]): RequestContext {
    return this.contextFor(this.systemPrincipal(companyIds, companyId, null));
  }

  /** The system inside one company alone, knowing the company (its currency, its time zone): a public page's work. */
  async systemInCompany(companyId: number): Promise<RequestContext> {
    const rows = await this.knex('core_companies').where({ id: companyId }).select('id', 'code', 'name', 'currency', 'timezone');
    if (!rows.length) throw new NotFoundError('Company');
    const companies = rows.map((c: any) => ({ id: Number(c.id), code: c.code, name: c.name, currency: c.currency, timezone: c.timezone }));
    return this.contextFor({ ...this.systemPrincipal([companyId], companyId, null), companies });
  }

  /**
   * What an event handler works with: the system over the event's company alone, writing in the
   * given transaction, with the event's actor in the stamps and the audit trail.
   */
  forEvent(event: Pick<DomainEvent, 'companyId' | 'actorId'>, trx: Knex.Transaction): ScopedDb {
    return new ScopedDb(trx, this.systemPrincipal([event.companyId], event.companyId, event.actorId ?? null), this.services);
  }

  private systemPrincipal(companyIds: number[], companyId: number, actorId: number | null): Principal {
    return {
      userId: actorId,
      email: 'system',
      name: 'System',
      companyIds,
      companyId,
      permissions: new Set(this.catalog.all().map((p) => p.name)),
      isSuperAdmin: true,
      via: 'system',
    };
  }
}
