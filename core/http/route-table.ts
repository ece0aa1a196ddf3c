import type { ApiRoute, PageRoute } from '../modules/module-api';
import { AUTHENTICATED } from '../modules/module-api';
import type { PermissionCatalog } from '../security/permission-catalog';
import { nullableKeywordsIn } from './json-schema';

export interface DeclaredPageRoute extends PageRoute {
  module: string;
}
export interface DeclaredApiRoute extends ApiRoute {
  module: string;
  /** Full express path, e.g. `/api/v1/crm/customers/:id`. */
  expressPath: string;
  /** Full OpenAPI path, e.g. `/api/v1/crm/customers/{id}`. */
  openApiPath: string;
}

export class RouteDeclarationError extends Error {}

/**
 * Every route modules declare, with its permission. A route without one, or naming a permission no
 * module declares, is refused when it is declared: deny by default starts here.
 */
export class RouteTable {
  readonly pages: DeclaredPageRoute[] = [];
  readonly apis: DeclaredApiRoute[] = [];

  constructor(private readonly catalog: () => PermissionCatalog) {}

  addPage(module: string, route: PageRoute): void {
    this.checkPermission(module, route.method, route.path, route.permission);
    if (!route.path.startsWith('/') || route.path.startsWith('/api/')) throw new RouteDeclarationError(`Module "${module}": page path "${route.path}" must start with / and not with /api/`);
    this.pages.push({ ...route, module });
  }

  addApi(module: string, route: ApiRoute): void {
    this.checkPermission(module, route.method, route.path, route.permission);
    if (!route.path.startsWith('/')) throw new RouteDeclarationError(`Module "${module}": API path "${route.path}" must start with /`);
    this.checkSchemas(module, route);
    const openApiPath = `/api/v1/${module}${route.path}`;
    this.apis.push({ ...route, module, openApiPath, expressPath: openApiPath.replace(/\{(\w+)\}/g, ':$1') });
  }

  private checkSchemas(module: string, route: ApiRoute): void {
    for (const part of ['params', 'query', 'body', 'response'] as const) {
      const [where] = nullableKeywordsIn(route[part]);
      if (where === undefined) continue;
      throw new RouteDeclarationError(
        `Module "${module}": route ${route.method} ${route.path}: ${part} schema uses "nullable" at ${where}; write the JSON Schema form, e.g. type: ['string', 'null'] (the API document is OpenAPI 3.1)`,
      );
    }
  }

  private checkPermission(module: string, method: string, path: string, permission: string | undefined): void {
    if (!permission) throw new RouteDeclarationError(`Module "${module}": route ${method} ${path} declares no permission`);
    if (permission !== AUTHENTICATED && !this.catalog().has(permission)) {
      throw new RouteDeclarationError(`Module "${module}": route ${method} ${path} needs permission "${permission}", which no installed module declares`);
    }
  }
}
