import { defineModule } from 'tessera/core';
import { BILLING } from './api';
import { journalEntity } from './journals/journal-entity';
import { taxEntity } from './catalog/tax-entity';
import { productEntity } from './catalog/product-entity';
import { makeServices } from './services';
import { documentApiRoutes } from './documents/document-api';
import { paymentApiRoutes } from './payments/payment-api';
import { accountApiRoutes } from './ledger/account-api';
import { SelectiveBilling } from './selective/selective-service';
import { selectiveApiRoutes } from './selective/selective-api';
import { documentPageRoutes } from './documents/document-pages';
import { documentFormRoutes } from './documents/document-form-pages';
import { paymentPageRoutes } from './payments/payment-pages';
import { counterPageRoutes } from './payments/counter-pages';
import { statementPageRoutes, customerPanel } from './ledger/statement-pages';
import { printPageRoutes } from './printing/print-pages';
import { profilePageRoutes } from './crm/profile-pages';
import { reportApiRoutes, reportPageRoutes } from './reports/report-pages';
import { seedBillingDemo } from './demo-data';
import { selectivePageRoutes } from './selective/selective-pages';
import { refuseDeletingBilledCustomer } from './crm/deletion-guard';
import { CRM_EVENTS } from '../crm/api';

/**
 * billing: journals, catalogue, documents, payments and the receivables ledger. Other modules use
 * the services bound here (see api.ts), its events and its slots; never its tables.
 */
export default defineModule({
  register(m) {
    const services = makeServices();
    // The catalogue keeps journals a few seconds (every payment reads its journal): an edit here drops it.
    m.entities.register(journalEntity, { hooks: { afterWrite: async (_ctx, change) => services.catalog.forgetJournal(Number((change.row ?? change.before)?.id)) } });
    m.entities.register(taxEntity);
    m.entities.register(productEntity);

    m.services.bind(BILLING.Catalog, services.catalog);
    m.services.bind(BILLING.Documents, services.documents);
    m.services.bind(BILLING.Payments, services.payments);
    m.services.bind(BILLING.CreditNotes, services.creditNotes);
    m.services.bind(BILLING.Accounts, services.accounts);

    const selective = new SelectiveBilling(services);
    for (const route of [...documentApiRoutes(services), ...paymentApiRoutes(services), ...accountApiRoutes(services), ...selectiveApiRoutes(selective), ...reportApiRoutes()]) m.routes.api(route);
    const pages = [
      ...documentFormRoutes(services),
      ...printPageRoutes(services),
      ...documentPageRoutes(services),
      ...paymentPageRoutes(services),
      ...counterPageRoutes(services),
      ...statementPageRoutes(services),
      ...profilePageRoutes(services),
      ...reportPageRoutes(),
      ...selectivePageRoutes(selective),
    ];
    for (const route of pages) m.routes.page(route);
    m.views.slot(customerPanel(services));
    m.events.on(CRM_EVENTS.customerDeleting, refuseDeletingBilledCustomer, { name: 'billing:refuse-deleting-billed-customer' });
    m.demo(seedBillingDemo);
    m.jobs.define('selective', SelectiveBilling.jobHandler(m.container, selective), { attempts: 3 });
  },
});
