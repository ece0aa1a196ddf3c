import type { Container } from 'inversify';
import { CORE, type EntityService, type RequestContext, type ScopedDb, type SecretBox } from 'tessera/core';
import { BILLING, type CatalogService, type CreditNoteService, type DocumentService, type Journal, type PaymentService } from '../../billing/api';
import { CRM, type CustomerGroupService, type CustomerService } from '../../crm/api';
import { MESSAGING, type NotifyService } from '../../messaging/api';
import { BASE, type ShopService } from '../../base/api';

/**
 * What schemes uses of other modules, through their services only (never their tables), looked up
 * when first used so the order modules register in does not matter.
 */
export interface Ports {
  documents(): DocumentService;
  payments(): PaymentService;
  creditNotes(): CreditNoteService;
  catalog(): CatalogService;
  customers(): CustomerService;
  groups(): CustomerGroupService;
  /** base's shops, to name them. */
  shops(): ShopService;
  /** messaging's notifications (device codes, expiry reminders), in the caller's transaction. */
  notify(): NotifyService;
  /** The installation's secret box (core): device secrets are sealed with it, never stored in clear. */
  secrets(): SecretBox;
  /**
   * The company's journals, for pickers. billing's contract has no list of journals: this reads them
   * through the journal entity's service (`billing.journal`, open reads), never billing's tables.
   */
  journals(ctx: RequestContext, companyId: number): Promise<Journal[]>;
  /** A request context over an event handler's transaction, for services that take one (crm's). */
  contextOf(db: ScopedDb): RequestContext;
}

export function portsOf(container: Container): Ports {
  return {
    documents: () => container.get<DocumentService>(BILLING.Documents),
    payments: () => container.get<PaymentService>(BILLING.Payments),
    creditNotes: () => container.get<CreditNoteService>(BILLING.CreditNotes),
    catalog: () => container.get<CatalogService>(BILLING.Catalog),
    customers: () => container.get<CustomerService>(CRM.Customers),
    groups: () => container.get<CustomerGroupService>(CRM.CustomerGroups),
    shops: () => container.get<ShopService>(BASE.ShopService),
    notify: () => container.get<NotifyService>(MESSAGING.Notify),
    secrets: () => container.get<SecretBox>(CORE.Secrets),
    journals: async (ctx, companyId) => (await container.get<EntityService<any>>(Symbol.for('billing.journal')).list(ctx, { companyId })) as unknown as Journal[],
    contextOf: (db) => systemContext(db, container),
  };
}

/** The handler's principal (the system over the event's company) with its db, shaped as a request context. */
function systemContext(db: ScopedDb, container: Container): RequestContext {
  const principal = db.principal;
  const can = (permission: string) => principal.isSuperAdmin || principal.permissions.has(permission);
  const ctx: RequestContext = {
    principal,
    db,
    container,
    get user() {
      return { id: principal.userId, email: principal.email, name: principal.name };
    },
    get companyId() {
      return principal.companyId;
    },
    get companyIds() {
      return principal.companyIds;
    },
    can,
    require: (permission: string) => {
      if (!can(permission)) throw new Error(`The system lacks ${permission}`);
    },
    withDb: (other: ScopedDb) => systemContext(other, container),
  };
  return ctx;
}
