import { defineModule, type EntityService } from 'tessera/core';
import { BASE } from './api';
import { shopEntity } from './shops/shop-entity';
import { ShopService } from './shops/shop-service';
import { DefaultUserShops, registerUserShops } from './shops/user-shops';
import { DefaultAuditTrail } from './audit/audit-trail';
import { seedDemoShops } from './shops/shop-demo';
import { companyEntity, companyHooks } from './companies/company-entity';
import { companyPages } from './companies/company-pages';
import { registerUsers } from './users/user-entity';
import { registerRoles } from './roles/role-entity';
import { registerTokenPages } from './tokens/token-pages';
import { registerPasswordPages } from './account/password-pages';
import { registerJobPages } from './jobs/job-pages';
import { registerAuditPages } from './audit/audit-pages';
import { registerHomePages } from './home/home-pages';
import { registerSettingsPages } from './settings/settings-pages';
import { registerSettingsApi } from './settings/settings-api';
import { registerApiReferencePages } from './api-docs/api-reference-pages';

export default defineModule({
  register(m) {
    const shops = m.entities.register(shopEntity, { serviceId: BASE.ShopService, service: (options) => new ShopService(shopEntity, options) });
    m.services.bind(BASE.AuditTrail, new DefaultAuditTrail());
    const userShops = new DefaultUserShops();
    m.services.bind(BASE.UserShops, userShops);

    registerHomePages(m, shops);
    const companies: EntityService<typeof companyEntity> = m.entities.register(companyEntity, { hooks: companyHooks, pages: companyPages(() => companies) });
    registerUsers(m);
    registerUserShops(m, userShops);
    registerRoles(m);
    registerTokenPages(m);
    registerPasswordPages(m);
    registerJobPages(m);
    registerAuditPages(m);
    registerSettingsPages(m);
    registerSettingsApi(m);
    registerApiReferencePages(m);

    m.demo(seedDemoShops);
  },
});
