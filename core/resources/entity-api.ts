import type { ApiRoute } from '../modules/module-api';
import { idParams } from '../http/common-schemas';
import type { RegisteredEntity } from './entity-registry';
import type { EntitySchemas } from './entity-schemas';

export type ApiPart = 'list' | 'get' | 'create' | 'update' | 'remove';

/** `false` leaves the route out; an object replaces parts of it (its handler, say) and keeps the rest. */
export type ApiOverride = false | Partial<Pick<ApiRoute, 'summary' | 'tags' | 'handler' | 'response' | 'query' | 'body'>>;

/**
 * The JSON API of an entity under `/api/v1/<module><paths.api>`: list (filters, sort, keyset pages,
 * `q`), get, create, patch and, when a delete permission is declared, delete. Each route carries its
 * permission and its schemas, so it is checked and documented in the OpenAPI document alike.
 */
export function entityApiRoutes(reg: RegisteredEntity, schemas: EntitySchemas, overrides: Partial<Record<ApiPart, ApiOverride>> = {}): ApiRoute[] {
  const { entity, service } = reg;
  const base = entity.paths.api;
  if (!base) return [];
  const one = entity.label.one.toLowerCase();
  const permissions = entity.permissions;
  const tags = [entity.label.many];
  const routes: Record<ApiPart, ApiRoute | null> = {
    list: {
      method: 'GET',
      path: base,
      permission: permissions.read,
      summary: `List ${entity.label.many.toLowerCase()}${entity.search?.length ? `: \`q\` is a prefix of ${entity.search.join(', ')}` : ''}; filters, sort, keyset pages`,
      tags,
      query: schemas.listQuery,
      response: schemas.page,
      handler: async (ctx, { query }) => {
        const { q, sort, after, limit, ...filters } = query;
        return service.page(ctx, { q, sort, after, limit, filters });
      },
    },
    get: {
      method: 'GET',
      path: `${base}/{id}`,
      permission: permissions.read,
      summary: `Get a ${one}`,
      tags,
      params: idParams,
      response: schemas.row,
      handler: async (ctx, { params }) => service.get(ctx, Number(params.id)),
    },
    create: {
      method: 'POST',
      path: base,
      permission: permissions.write,
      summary: `Create a ${one}`,
      tags,
      body: schemas.create,
      response: schemas.row,
      status: 201,
      // A client that retries a create after a lost answer sends the same Idempotency-Key: one record.
      idempotent: true,
      handler: async (ctx, { body }) => service.create(ctx, body),
    },
    update: {
      method: 'PATCH',
      path: `${base}/{id}`,
      permission: permissions.write,
      summary: `Change some fields of a ${one}`,
      tags,
      params: idParams,
      body: schemas.patch,
      response: schemas.row,
      handler: async (ctx, { params, body }) => service.update(ctx, Number(params.id), body),
    },
    remove: permissions.delete
      ? {
          method: 'DELETE',
          path: `${base}/{id}`,
          permission: permissions.delete,
          summary: `Delete a ${one}; refused (409) with the reason while other records need it`,
          tags,
          params: idParams,
          status: 204,
          handler: async (ctx, { params }) => {
            await service.remove(ctx, Number(params.id));
            return null;
          },
        }
      : null,
  };
  return (Object.keys(routes) as ApiPart[]).flatMap((part) => {
    const route = routes[part];
    const override = overrides[part];
    if (!route || override === false) return [];
    return [{ ...route, ...(override ?? {}) }];
  });
}
