import type { Knex } from 'knex';
import type { Logger } from '../kernel/logger';
import type { Manifest, ModuleSource } from '../modules/manifest';
import type { Principal, RequestContext } from '../security/request-context';
import type { Company } from '../security/services';
import type { PublicAccess } from '../modules/module-api';
import type { DeclaredApiRoute, DeclaredPageRoute, DeclaredPublicRoute } from './route-table';
import type { PasswordResetService } from '../security/password-reset';
import type { MenuItem } from './menus';

/**
 * What the web process takes from the host, and nothing more: the kernel hands these over when it
 * builds the app, so http depends on the services it uses, not on the kernel that holds them.
 */
export interface HttpServices {
  readonly settings: { trustProxy: boolean; secureCookies: boolean; rootDir: string; version: string; publicUrl?: string };
  /** The installed modules: their `public/` folders are served under /static/<name>. */
  readonly modules: readonly ModuleSource[];
  readonly routes: { readonly apis: readonly DeclaredApiRoute[]; readonly pages: readonly DeclaredPageRoute[]; readonly publics: readonly DeclaredPublicRoute[] };
  /** What public pages start from: a lookup across companies, then one company's system context. */
  readonly publicAccess: PublicAccess;
  /** Where sessions are kept, signed with `sessionSecret`. */
  readonly sessionDb: Knex;
  readonly sessionSecret: string;
  /** Where answers to requests with an Idempotency-Key are kept, to replay them. */
  readonly idempotencyDb: Knex;
  readonly logger: Logger;
  readonly health: () => Promise<{ status: string }>;
  readonly people: PeopleServices;
  /** Forgotten passwords (core/security/password-reset.ts). */
  readonly passwordResets: Pick<PasswordResetService, 'available' | 'request' | 'valid' | 'reset'>;
  readonly shell: ShellServices;
}

/** Who is asking: bearer tokens, sessions' users, sign-in. */
export interface PeopleServices {
  authenticateToken(token: string): Promise<number | null>;
  /** The principal of a bearer token (token and user in one read); null for an unknown or revoked token or an inactive user. */
  principalForToken?(token: string, companyId: number | null): Promise<Principal | null>;
  principalForUser(userId: number, companyId: number | null, via: Principal['via']): Promise<Principal | null>;
  contextFor(principal: Principal): RequestContext;
  login(email: string, password: string, ip: string): Promise<number | null>;
}

/** What a page in the shell is drawn with: templates, menus, the user's companies. */
export interface ShellServices {
  render(view: string, data: Record<string, unknown>, ctx: RequestContext | null): Promise<string>;
  hasView(view: string): boolean;
  readonly manifests: readonly Manifest[];
  /** Declared pages, for the links a user may follow. */
  readonly pageRoutes: readonly DeclaredPageRoute[];
  companiesByIds(ids: number[]): Promise<Company[]>;
  /** Sets the counts of the menu's badges for the user (core/http/menu-badges.ts). */
  fillBadges(menus: MenuItem[], ctx: RequestContext): Promise<void>;
}
