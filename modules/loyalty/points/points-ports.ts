import type { Container } from 'inversify';
import { BILLING, type CatalogService, type DocumentService } from '../../billing/api';
import { CRM, type CustomerService } from '../../crm/api';

/**
 * What points use of other modules, through their services only (never their tables), looked up when
 * first used so the order modules register in does not matter.
 */
export interface PointsPorts {
  catalog(): CatalogService;
  documents(): DocumentService;
  customers(): CustomerService;
}

export function pointsPorts(container: Container): PointsPorts {
  return {
    catalog: () => container.get<CatalogService>(BILLING.Catalog),
    documents: () => container.get<DocumentService>(BILLING.Documents),
    customers: () => container.get<CustomerService>(CRM.Customers),
  };
}
