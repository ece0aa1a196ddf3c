import { defineModule, mountImport } from 'tessera/core';
import { CRM } from './api';
import { CustomerServiceImpl } from './customers/customer-service';
import { customerApiRoutes } from './customers/customer-api';
import { customerPageRoutes } from './customers/customer-pages';
import { CustomerGroupServiceImpl, groupRecordHooks } from './groups/group-service';
import { groupEntity } from './groups/group-entity';
import { groupApi } from './groups/group-api';
import { groupPages } from './groups/group-pages';
import { customerImport } from './import/customer-import';
import { seedCrmDemo } from './demo-data';
import { registerCrmWidgets } from './home/crm-widgets';
import { registerCustomerRecords } from './customers/customer-history';
import { CORE, type EntityRegistry } from 'tessera/core';

/**
 * crm: customers, customer groups, CSV import and export. Other modules use it through the services
 * bound here (see api.ts) and the events it publishes, never through its tables.
 */
export default defineModule({
  register(m) {
    m.services.bind(CRM.Customers, new CustomerServiceImpl());
    const api = groupApi(m.container);
    const pages = groupPages(m.container);
    const groupRecords = m.entities.register(groupEntity, { hooks: groupRecordHooks, api: api.parts, pages: pages.parts });
    m.services.bind(CRM.CustomerGroups, new CustomerGroupServiceImpl(groupRecords));
    mountImport(m, customerImport, {
      bindAs: CRM.Imports,
      api: { upload: '/customers/import', imports: '/imports' },
      pages: {
        upload: '/crm/customers/import',
        imports: '/crm/imports',
        back: { href: '/crm/customers', label: 'Customers' },
        title: 'Import customers',
        help: [
          'Only last_name and shop (its code or name) are required; tags are separated by commas, birthdate is YYYY-MM-DD.',
          'A row whose code (else e-mail, else phone) matches a customer of the company updates that customer, so importing the same file twice creates no duplicates.',
        ],
      },
    });
    registerCustomerRecords(m.container.get<EntityRegistry>(CORE.Entities));

    for (const route of customerApiRoutes(m.container)) m.routes.api(route);
    for (const route of api.routes) m.routes.api(route);
    for (const route of customerPageRoutes(m.container)) m.routes.page(route);
    for (const route of pages.routes) m.routes.page(route);

    registerCrmWidgets(m);
    m.demo(seedCrmDemo);
  },
});
