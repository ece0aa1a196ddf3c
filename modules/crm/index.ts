import { defineModule } from '../../core';
import { CRM } from './api';
import { CustomerServiceImpl } from './customers/customer-service';
import { customerApiRoutes } from './customers/customer-api';
import { customerPageRoutes } from './customers/customer-pages';
import { CustomerGroupServiceImpl } from './groups/group-service';
import { groupApiRoutes } from './groups/group-api';
import { groupPageRoutes } from './groups/group-pages';
import { ImportService } from './import/import-service';
import { importApiRoutes } from './import/import-api';
import { importPageRoutes } from './import/import-pages';
import { seedCrmDemo } from './demo-data';
import { registerCustomerRecords } from './customers/customer-history';
import { CORE, type EntityRegistry } from 'tessera/core';

/**
 * crm: customers, customer groups, CSV import and export. Other modules use it through the services
 * bound here (see api.ts) and the events it publishes, never through its tables.
 */
export default defineModule({
  register(m) {
    m.services.bind(CRM.Customers, new CustomerServiceImpl());
    m.services.bind(CRM.CustomerGroups, new CustomerGroupServiceImpl());
    m.services.bind(CRM.Imports, new ImportService());
    registerCustomerRecords(m.container.get<EntityRegistry>(CORE.Entities));

    for (const route of importApiRoutes(m.container)) m.routes.api(route);
    for (const route of customerApiRoutes(m.container)) m.routes.api(route);
    for (const route of groupApiRoutes(m.container)) m.routes.api(route);
    for (const route of importPageRoutes(m.container)) m.routes.page(route);
    for (const route of customerPageRoutes(m.container)) m.routes.page(route);
    for (const route of groupPageRoutes(m.container)) m.routes.page(route);

    m.jobs.define('import', ImportService.jobHandler(m.container), { attempts: 2 });
    m.demo(seedCrmDemo);
  },
});
