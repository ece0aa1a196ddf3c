/**
 * Core security services, bound in the container under `CORE.*`. The admin pages and the
 * `/api/v1/base/*` routes (base module) call these; they check permissions themselves, so any caller
 * (UI, API, CLI) gets the same rules.
 */
import type { RequestContext } from './request-context';

export interface Company {
  id: number;
  code: string;
  name: string;
  currency: string;
  timezone: string;
}

// A type, not an interface: it is the row type of the user entity's service, whose rows are records.
export type UserSummary = {
  id: number;
  email: string;
  name: string;
  is_active: boolean;
  company_ids: number[];
  role_ids: number[];
  /** ISO 8601, as the API answers it. */
  last_login_at: string | null;
};

// A type, not an interface: it is the row type of the role entity's service, whose rows are records.
export type Role = {
  id: number;
  company_id: number | null;
  name: string;
  description: string;
  is_super_admin: boolean;
  permissions: string[];
};

export interface PermissionDef {
  name: string;
  description: string;
  implies: string[];
  module: string;
}

export interface ApiTokenSummary {
  id: number;
  name: string;
  prefix: string;
  created_at: Date | null;
  last_used_at: Date | null;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/**
 * Permissions the core itself declares (in core/permissions.json, under the `core` group): the
 * security services check them, and any module's menus may use them. Modules must not redeclare them.
 */
export const CORE_PERMISSIONS = {
  companyRead: 'core.company.read',
  companyManage: 'core.company.manage',
  userRead: 'core.user.read',
  userManage: 'core.user.manage',
  roleRead: 'core.role.read',
  roleManage: 'core.role.manage',
  jobsManage: 'core.jobs.manage',
  auditRead: 'core.audit.read',
  settingsManage: 'core.settings.manage',
} as const;

export interface CompanyService {
  /** Companies the caller may see. */
  list(ctx: RequestContext): Promise<Company[]>;
  get(ctx: RequestContext, id: number): Promise<Company>;
  /** Super admins only: a new company; the creator is given access to it. */
  create(ctx: RequestContext, input: { code: string; name: string; currency?: string; timezone?: string }): Promise<Company>;
  update(ctx: RequestContext, id: number, patch: Partial<Pick<Company, 'name' | 'currency' | 'timezone'>>): Promise<Company>;
}

export interface UserPatch {
  email?: string;
  name?: string;
  is_active?: boolean;
  role_ids?: number[];
  company_ids?: number[];
  password?: string;
}

export interface UserService {
  /** Users sharing a company with the caller; `q` is a prefix of e-mail or name. Keyset by id. */
  page(ctx: RequestContext, options: { q?: string; after?: string | null; limit?: number }): Promise<Page<UserSummary>>;
  get(ctx: RequestContext, id: number): Promise<UserSummary>;
  create(ctx: RequestContext, input: { email: string; name: string; password: string; role_ids: number[]; company_ids: number[] }): Promise<UserSummary>;
  /**
   * A sub-admin may change a user only when every company of that user is one of its own and the user
   * holds nothing it does not; otherwise 403 with the reason (see AdminReach).
   */
  update(ctx: RequestContext, id: number, patch: UserPatch): Promise<UserSummary>;
  /** Why the caller may not change this user, or null when it may: what pages show instead of a form. */
  refusal(ctx: RequestContext, user: UserSummary): Promise<string | null>;
  /** The caller changes their own password; the current one must match. */
  changeOwnPassword(ctx: RequestContext, current: string, next: string): Promise<void>;
  /** Is this the caller's password? For a form that reports every wrong field at once. */
  checkOwnPassword(ctx: RequestContext, current: string): Promise<boolean>;
}

export interface RoleService {
  list(ctx: RequestContext): Promise<Role[]>;
  get(ctx: RequestContext, id: number): Promise<Role>;
  /** Refuses any permission the caller does not hold (a sub-admin cannot grant more than it has). */
  create(ctx: RequestContext, input: { name: string; description?: string; permissions: string[]; company_id?: number | null }): Promise<Role>;
  /** Refused (403) to a sub-admin when the role is shared, or held by users of companies it does not manage. */
  update(ctx: RequestContext, id: number, patch: { name?: string; description?: string; permissions?: string[] }): Promise<Role>;
  remove(ctx: RequestContext, id: number): Promise<void>;
  /** Why the caller may not change this role, or null when it may. */
  refusal(ctx: RequestContext, role: Role): Promise<string | null>;
  /** Every declared permission grouped by module, each flagged with whether the caller may grant it. */
  grantable(ctx: RequestContext): Promise<Array<{ module: string; permissions: Array<PermissionDef & { grantable: boolean }> }>>;
}

export interface TokenService {
  /** Returns the secret once; only its hash is stored. The token acts with its user's roles. */
  create(ctx: RequestContext, name: string): Promise<{ token: string; record: ApiTokenSummary }>;
  list(ctx: RequestContext): Promise<ApiTokenSummary[]>;
  revoke(ctx: RequestContext, id: number): Promise<void>;
}
