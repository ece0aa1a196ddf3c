import { defineModule } from 'tessera/core';
import { BILLING } from './api';
import { journalEntity } from './journals/journal-entity';
import { taxEntity } from './catalog/tax-entity';
import { productEntity } from './catalog/product-entity';
import { CatalogServiceImpl } from './catalog/catalog-service';
import { DocumentServiceImpl } from './documents/document-service';
import { CreditNoteServiceImpl } from './documents/credit-note-service';
import { PaymentServiceImpl } from './payments/payment-service';
import { AccountServiceImpl } from './ledger/account-service';
import { billingApiRoutes } from './billing-api';

/**
 * billing: journals, catalogue, documents, payments and the receivables ledger. Other modules use
 * the services bound here (see api.ts), its events and its slots; never its tables.
 */
export default defineModule({
  register(m) {
    m.entities.register(journalEntity);
    m.entities.register(taxEntity);
    m.entities.register(productEntity);

    const catalog = new CatalogServiceImpl();
    const services = {
      catalog,
      documents: new DocumentServiceImpl(catalog),
      payments: new PaymentServiceImpl(catalog),
      creditNotes: new CreditNoteServiceImpl(catalog),
      accounts: new AccountServiceImpl(),
    };
    m.services.bind(BILLING.Catalog, services.catalog);
    m.services.bind(BILLING.Documents, services.documents);
    m.services.bind(BILLING.Payments, services.payments);
    m.services.bind(BILLING.CreditNotes, services.creditNotes);
    m.services.bind(BILLING.Accounts, services.accounts);

    for (const route of billingApiRoutes(services)) m.routes.api(route);
  },
});

export type BillingServices = {
  catalog: CatalogServiceImpl;
  documents: DocumentServiceImpl;
  payments: PaymentServiceImpl;
  creditNotes: CreditNoteServiceImpl;
  accounts: AccountServiceImpl;
};
