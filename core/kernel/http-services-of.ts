import type { HttpServices } from '../http/http-services';
import type { Kernel } from './kernel';

/** The services the web process is given, taken from a booted kernel: http sees these, not the kernel. */
export function httpServicesOf(kernel: Kernel): HttpServices {
  const { config, contexts, tokens, login, views } = kernel;
  return {
    settings: { trustProxy: config.trustProxy, secureCookies: config.secureCookies, rootDir: config.rootDir, version: kernel.version, publicUrl: config.publicUrl },
    passwordResets: kernel.passwordResets,
    modules: kernel.installed,
    routes: kernel.routes,
    sessionDb: kernel.knex,
    sessionSecret: kernel.sessionSecret,
    idempotencyDb: kernel.knex,
    publicAccess: {
      lookup: () => kernel.knex,
      asCompany: (companyId) => contexts.systemInCompany(companyId),
    },
    logger: kernel.logger,
    health: () => kernel.health(),
    people: {
      authenticateToken: (token) => tokens.authenticate(token),
      principalForToken: async (token, companyId) => contexts.principalFromRow(await tokens.authenticateUser(token), companyId, 'token'),
      principalForUser: (userId, companyId, via) => contexts.principalForUser(userId, companyId, via),
      contextFor: (principal) => contexts.contextFor(principal),
      login: (email, password, ip) => login.login(email, password, ip),
    },
    shell: {
      render: (view, data, ctx) => views.render(view, data, ctx),
      hasView: (view) => views.has(view),
      get manifests() {
        return kernel.manifests;
      },
      get pageRoutes() {
        return kernel.routes.pages;
      },
      companiesByIds: (ids) => kernel.companiesByIds(ids),
      fillBadges: (menus, ctx) => kernel.badges.fill(menus, ctx),
    },
  };
}
