import type { ApiRoute, PageRoute, PublicPageRoute } from '../modules/module-api';
import { AUTHENTICATED } from '../modules/module-api';
import type { PermissionCatalog } from '../security/permission-catalog';
import { nullableKeywordsIn } from '../json-schema';

export interface DeclaredPageRoute extends PageRoute {
  module: string;
}
export interface DeclaredPublicRoute extends PublicPageRoute {
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
  readonly publics: DeclaredPublicRoute[] = [];

  constructor(private readonly catalog: () => PermissionCatalog) {}

  addPage(module: string, route: PageRoute): void {
    this.checkPermission(module, route.method, route.path, route.permission);
    if (!route.path.startsWith('/') || route.path.startsWith('/api/')) throw new RouteDeclarationError(`Module "${module}": page path "${route.path}" must start with / and not with /api/`);
    insertBySpecificity(this.pages, { ...route, module }, route.path);
  }

  /** A public page must say why it is public and carry a token in its path; nothing else is open. */
  addPublicPage(module: string, route: PublicPageRoute): void {
    const where = `Module "${module}": public page ${route.method} ${route.path}`;
    if (!route.reason?.trim()) throw new RouteDeclarationError(`${where} gives no reason why strangers may open it`);
    if (!route.path.startsWith('/') || route.path.startsWith('/api/')) throw new RouteDeclarationError(`${where}: the path must start with / and not with /api/`);
    if (!/\/:[A-Za-z_]\w*/.test(route.path)) throw new RouteDeclarationError(`${where}: the path must carry the token that opens it (a :parameter)`);
    insertBySpecificity(this.publics, { ...route, module }, route.path);
  }

  addApi(module: string, route: ApiRoute): void {
    this.checkPermission(module, route.method, route.path, route.permission);
    if (!route.path.startsWith('/')) throw new RouteDeclarationError(`Module "${module}": API path "${route.path}" must start with /`);
    this.checkSchemas(module, route);
    const openApiPath = `/api/v1/${module}${route.path}`;
    const expressPath = openApiPath.replace(/\{(\w+)\}/g, ':$1');
    insertBySpecificity(this.apis, { ...route, module, openApiPath, expressPath }, expressPath);
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

/**
 * Keeps routes in the order they must be tried: at the first segment where two paths differ in kind,
 * a fixed segment goes before a parameter, so `/shops/new` wins over `/shops/:id` whoever declared
 * first. Paths of the same shape keep their declaration order.
 */
function insertBySpecificity<T extends { path: string }>(list: T[], route: T, path: string): void {
  const shape = shapeOf(path);
  shapes.set(route, shape);
  const at = list.findIndex((other) => compareShapes(shape, shapes.get(other) ?? shapeOf('expressPath' in other ? String(other.expressPath) : other.path)) < 0);
  if (at === -1) list.push(route);
  else list.splice(at, 0, route);
}

/** Each declared route's shape, worked out once: every insertion compares with all routes before it. */
const shapes = new WeakMap<object, number[]>();

/** 0 for a fixed segment, 1 for a parameter. */
function shapeOf(path: string): number[] {
  return path.split('/').filter(Boolean).map((segment) => (segment.startsWith(':') ? 1 : 0));
}

function compareShapes(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
