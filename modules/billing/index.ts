import { defineModule } from 'tessera/core';
import { BILLING } from './api';
import { journalEntity } from './journals/journal-entity';
import { taxEntity } from './catalog/tax-entity';
import { productEntity } from './catalog/product-entity';
import { makeServices } from './services';
import { documentApiRoutes } from './documents/document-api';
import { paymentApiRoutes } from './payments/payment-api';
import { accountApiRoutes } from './ledger/account-api';

/**
 * billing: journals, catalogue, documents, payments and the receivables ledger. Other modules use
 * the services bound here (see api.ts), its events and its slots; never its tables.
 */
export default defineModule({
  register(m) {
    m.entities.register(journalEntity);
    m.entities.register(taxEntity);
    m.entities.register(productEntity);

    const services = makeServices();
    m.services.bind(BILLING.Catalog, services.catalog);
    m.services.bind(BILLING.Documents, services.documents);
    m.services.bind(BILLING.Payments, services.payments);
    m.services.bind(BILLING.CreditNotes, services.creditNotes);
    m.services.bind(BILLING.Accounts, services.accounts);

    for (const route of [...documentApiRoutes(services), ...paymentApiRoutes(services), ...accountApiRoutes(services)]) m.routes.api(route);
  },
});
