import type { Container } from 'inversify';
import type { ScopedDb } from '../data/scoped-db';
import { ForbiddenError } from '../errors';

export interface Principal {
  userId: number | null;
  email: string;
  name: string;
  /** Companies whose rows this principal may see. */
  companyIds: number[];
  /** The company new rows go to unless a caller names another one it may see. */
  companyId: number;
  /** Expanded permissions (implications resolved). */
  permissions: ReadonlySet<string>;
  isSuperAdmin: boolean;
  via: 'session' | 'token' | 'system';
  /** The companies' rows, when loaded with the principal (the shell's company switcher shows them). */
  companies?: Array<{ id: number; code: string; name: string; currency: string; timezone: string }>;
}

/** What every route handler gets: who is asking, what they may do, and data access scoped to them. */
export class RequestContext {
  constructor(
    readonly principal: Principal,
    readonly db: ScopedDb,
    readonly container: Container,
  ) {}

  get user() {
    return { id: this.principal.userId, email: this.principal.email, name: this.principal.name };
  }
  get companyId(): number {
    return this.principal.companyId;
  }
  get companyIds(): number[] {
    return this.principal.companyIds;
  }

  can(permission: string): boolean {
    return this.principal.isSuperAdmin || this.principal.permissions.has(permission);
  }

  require(permission: string): void {
    if (!this.can(permission)) throw new ForbiddenError(permission);
  }

  /** The same principal working inside a transaction. */
  withDb(db: ScopedDb): RequestContext {
    return new RequestContext(this.principal, db, this.container);
  }
}
