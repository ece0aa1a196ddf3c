import type { interfaces } from 'inversify';
import { defineModule, type ModuleContext } from '../../core/modules/module-api';
import { BASE } from './identifiers';
import { DefaultShopService } from './shops/shop-service';
import { DefaultAuditTrail } from './audit/audit-trail';
import { seedDemoShops } from './shops/shop-demo';
import { registerShopApi } from './shops/shop-api';
import { registerShopPages } from './shops/shop-pages';
import { registerCompanyApi } from './companies/company-api';
import { registerCompanyPages } from './companies/company-pages';
import { registerUserApi } from './users/user-api';
import { registerUserPages } from './users/user-pages';
import { registerRoleApi } from './roles/role-api';
import { registerRolePages } from './roles/role-pages';
import { registerTokenPages } from './tokens/token-pages';
import { registerPasswordPages } from './account/password-pages';
import { registerJobPages } from './jobs/job-pages';
import { registerAuditPages } from './audit/audit-pages';
import { registerHomePages } from './home/home-pages';
import { registerSettingsPages } from './settings/settings-pages';
import { registerSettingsApi } from './settings/settings-api';

export default defineModule({
  register(m) {
    const shops = new DefaultShopService();
    bindConstant(m, BASE.ShopService, shops);
    bindConstant(m, BASE.AuditTrail, new DefaultAuditTrail());

    registerHomePages(m, shops);
    registerShopPages(m, shops);
    registerShopApi(m, shops);
    registerCompanyPages(m);
    registerCompanyApi(m);
    registerUserPages(m);
    registerUserApi(m);
    registerRolePages(m);
    registerRoleApi(m);
    registerTokenPages(m);
    registerPasswordPages(m);
    registerJobPages(m);
    registerAuditPages(m);
    registerSettingsPages(m);
    registerSettingsApi(m);

    m.demo(seedDemoShops);
  },
});

function bindConstant<T>(m: ModuleContext, id: interfaces.ServiceIdentifier<T>, value: T): void {
  // Services are stateless; a rebind keeps a second register() in one container (tests) harmless.
  if (m.container.isBound(id)) m.container.rebind<T>(id).toConstantValue(value);
  else m.container.bind<T>(id).toConstantValue(value);
}
