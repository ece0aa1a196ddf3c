import type { Container } from 'inversify';
import { CORE, ConfigurationError, type EntityService, type RequestContext, type ScopedDb } from 'tessera/core';
import { BILLING, type AccountService, type CatalogService, type DocumentService, type Journal, type PaymentService } from '../../billing/api';
import { CRM, type CustomerService } from '../../crm/api';

/** The billing journal where payments made from the prepaid balance are recorded (one per company). */
export const BALANCE_JOURNAL_CODE = 'LOYALTY';

/**
 * What the balance uses of other modules, through their services only, looked up when first used so
 * the order modules register in does not matter.
 */
export interface BalancePorts {
  payments(): PaymentService;
  documents(): DocumentService;
  accounts(): AccountService;
  catalog(): CatalogService;
  customers(): CustomerService;
  /** loyalty's journal in billing, made on first use (billing has no journal setup hook for modules). */
  balanceJournal(db: ScopedDb, companyId: number): Promise<Journal>;
  /** The company's calendar day, for offers' validity dates. */
  today(db: ScopedDb, companyId: number): Promise<string>;
}

interface Contexts {
  system(companyIds: number[], companyId?: number): RequestContext;
}

export function balancePortsOf(container: Container): BalancePorts {
  const journals = new Map<number, Journal>();
  const zones = new Map<number, string>();
  const catalog = () => container.get<CatalogService>(BILLING.Catalog);
  return {
    payments: () => container.get<PaymentService>(BILLING.Payments),
    documents: () => container.get<DocumentService>(BILLING.Documents),
    accounts: () => container.get<AccountService>(BILLING.Accounts),
    catalog,
    customers: () => container.get<CustomerService>(CRM.Customers),
    async balanceJournal(db, companyId) {
      const known = journals.get(companyId);
      if (known) return known;
      let journal = await catalog().journalByCode(db, BALANCE_JOURNAL_CODE).catch((e) => (e instanceof ConfigurationError ? null : Promise.reject(e)));
      if (!journal) {
        // Made by the system in its own short transaction, so a refused payment does not undo it;
        // two first uses at once: the second meets the unique code and reads the first one's journal.
        const system = container.get<Contexts>(CORE.Contexts).system([companyId], companyId);
        const service = container.get<EntityService<any>>(Symbol.for('billing.journal'));
        await service.create(system, { code: BALANCE_JOURNAL_CODE, name: 'Prepaid balance (loyalty)', kind: 'cash', number_format: 'LOY/{seq:6}' }).catch(() => null);
        journal = await catalog().journalByCode(system, BALANCE_JOURNAL_CODE);
      }
      journals.set(companyId, journal);
      return journal;
    },
    async today(db, companyId) {
      let zone = zones.get(companyId);
      if (!zone) {
        const row = await db.unscoped('the time zone of the caller\'s company').table('core_companies').where({ id: companyId }).first('timezone');
        zone = String(row?.timezone ?? 'UTC');
        zones.set(companyId, zone);
      }
      return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    },
  };
}
