import type { Container, interfaces } from 'inversify';
import type { RouteRegistrar } from '../modules/module-api';
import type { AnyEntity } from './define-entity';
import type { EntityRow } from './entity-types';
import { EntityService, type EntityHooks, type EntityServiceOptions } from './entity-service';
import { entityApiRoutes, type ApiOverride, type ApiPart } from './entity-api';
import { entityPageRoutes, type PageOverride, type PagePart } from './entity-pages';
import { entitySchemas } from './entity-schemas';
import type { EntityRegistry } from './entity-registry';
import type { BulkAction } from './list-controls';

/** What a module says about an entity when it registers it; everything may be left out. */
export interface EntityOptions<E extends AnyEntity, S extends EntityService<E, any> = EntityService<E>> {
  /** The identifier other modules inject the service by; `Symbol.for('<module>.<name>')` by default. */
  serviceId?: symbol;
  hooks?: EntityHooks<EntityRow<E>>;
  /** A service of its own (a subclass) for what hooks cannot say. */
  service?: (options: EntityServiceOptions<EntityRow<E>>) => S;
  /** Any API route left out (`false`) or partly replaced (its handler, say). */
  api?: Partial<Record<ApiPart, ApiOverride>>;
  /** Any page left out (`false`), shown with the module's template (`view`), or replaced (`handler`). */
  pages?: Partial<Record<PagePart, PageOverride>>;
  /** Bulk actions of its own on the list (tag, add to group), after the core's export and delete. */
  bulk?: BulkAction[];
}

export interface EntityHost {
  module: string;
  container: Container;
  registry: EntityRegistry;
  routes: RouteRegistrar;
}

/** Binds an entity's service, records it in the host's registry, and declares its API and pages. */
export function registerEntity<E extends AnyEntity, S extends EntityService<E, any>>(host: EntityHost, entity: E, options: EntityOptions<E, S> = {}): S {
  const fullName = `${host.module}.${entity.name}`;
  const serviceOptions: EntityServiceOptions<EntityRow<E>> = { fullName, registry: host.registry, hooks: options.hooks };
  const service = (options.service ? options.service(serviceOptions) : new EntityService(entity, serviceOptions)) as S;
  const serviceId = options.serviceId ?? Symbol.for(fullName);
  const registered = {
    fullName,
    module: host.module,
    entity,
    service,
    serviceId,
    pagesPath: entity.paths.pages || null,
    slots: { panels: `${fullName}.panels`, actions: `${fullName}.actions` },
  };
  host.registry.add(registered);
  bindService(host.container, serviceId, service);
  for (const route of entityApiRoutes(registered, entitySchemas(entity), options.api)) host.routes.api(route);
  for (const route of entityPageRoutes(registered, host.registry, options.pages, options.bulk)) host.routes.page(route);
  return service;
}

/** Binds a constant; a second register() of a module in one container (tests) replaces its own binding. */
export function bindService<T>(container: Container, id: interfaces.ServiceIdentifier<T>, value: T): void {
  if (container.isBound(id)) container.rebind<T>(id).toConstantValue(value);
  else container.bind<T>(id).toConstantValue(value);
}
