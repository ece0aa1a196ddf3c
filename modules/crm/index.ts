import { defineModule } from '../../core';
import { CRM } from './api';
import { CustomerServiceImpl } from './customers/customer-service';
import { customerApiRoutes } from './customers/customer-api';
import { customerPageRoutes } from './customers/customer-pages';
import { CustomerGroupServiceImpl, groupRecordHooks } from './groups/group-service';
import { groupEntity } from './groups/group-entity';
import { groupApi } from './groups/group-api';
import { groupPages } from './groups/group-pages';
import { ImportService } from './import/import-service';
import { importApiRoutes } from './import/import-api';
import { importPageRoutes } from './import/import-pages';
import { seedCrmDemo } from './demo-data';

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
    m.services.bind(CRM.Imports, new ImportService());

    for (const route of importApiRoutes(m.container)) m.routes.api(route);
    for (const route of customerApiRoutes(m.container)) m.routes.api(route);
    for (const route of api.routes) m.routes.api(route);
    for (const route of importPageRoutes(m.container)) m.routes.page(route);
    for (const route of customerPageRoutes(m.container)) m.routes.page(route);
    for (const route of pages.routes) m.routes.page(route);

    m.jobs.define('import', ImportService.jobHandler(m.container), { attempts: 2 });
    m.demo(seedCrmDemo);
  },
});
