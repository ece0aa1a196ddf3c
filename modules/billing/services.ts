import { CatalogServiceImpl } from './catalog/catalog-service';
import { DocumentServiceImpl } from './documents/document-service';
import { CreditNoteServiceImpl } from './documents/credit-note-service';
import { PaymentServiceImpl } from './payments/payment-service';
import { AccountServiceImpl } from './ledger/account-service';

/** billing's services, made once per process; index.ts binds them under `BILLING.*`. */
export interface BillingServices {
  catalog: CatalogServiceImpl;
  documents: DocumentServiceImpl;
  payments: PaymentServiceImpl;
  creditNotes: CreditNoteServiceImpl;
  accounts: AccountServiceImpl;
}

export function makeServices(): BillingServices {
  const catalog = new CatalogServiceImpl();
  return {
    catalog,
    documents: new DocumentServiceImpl(catalog),
    payments: new PaymentServiceImpl(catalog),
    creditNotes: new CreditNoteServiceImpl(catalog),
    accounts: new AccountServiceImpl(),
  };
}
