import type { Container } from 'inversify';
import { idParams, type ApiOverride, type ApiPart, type ApiRoute } from 'tessera/core';
import { CRM, type CustomerGroupService } from '../api';
import { PERM } from '../permissions';
import { groupCreateBody, groupPatchBody, groupSchema, memberSchema, membersQuery } from './group-schemas';

/**
 * `/api/v1/crm/groups...`: the entity's routes keep their paths and permissions from the declaration;
 * their bodies and answers are the group's own (shops, members, a member count), and members is a route of its own.
 */
export function groupApi(container: Container): { parts: Partial<Record<ApiPart, ApiOverride>>; routes: ApiRoute[] } {
  const groups = () => container.get<CustomerGroupService>(CRM.CustomerGroups);
  const counted = async (ctx: Parameters<ApiRoute['handler']>[0], group: { id: number }) => ({ ...group, member_count: await groups().count(ctx, group.id) });
  const parts: Partial<Record<ApiPart, ApiOverride>> = {
    list: {
      summary: 'Customer groups of the current companies',
      query: undefined,
      response: { type: 'object', properties: { data: { type: 'array', items: groupSchema } } },
      handler: async (ctx) => ({ data: await groups().list(ctx) }),
    },
    create: {
      summary: 'Create a group: `shop` with `shop_ids`, or `customer` with `customer_ids` and/or a `search` whose results are added',
      body: groupCreateBody,
      response: groupSchema,
      handler: async (ctx, { body }) => counted(ctx, await groups().create(ctx, body)),
    },
    get: {
      summary: 'One group with its member count',
      response: groupSchema,
      handler: async (ctx, { params }) => counted(ctx, await groups().get(ctx, params.id)),
    },
    update: {
      summary: 'Rename, replace the shops, or add and remove members (customer_ids, search, remove_customer_ids)',
      body: groupPatchBody,
      response: groupSchema,
      handler: async (ctx, { params, body }) => counted(ctx, await groups().update(ctx, params.id, body)),
    },
    remove: {
      summary: 'Delete a group; refused (409) while another module uses it',
      handler: async (ctx, { params }) => {
        await groups().remove(ctx, params.id);
        return null;
      },
    },
  };
  const routes: ApiRoute[] = [
    {
      method: 'GET',
      path: '/groups/{id}/members',
      permission: PERM.groupRead,
      summary: 'Members of a group, in keyset pages (for a by-shop group: the current customers of its shops)',
      tags: ['Customer groups'],
      params: idParams,
      query: membersQuery,
      response: { type: 'object', properties: { data: { type: 'array', items: memberSchema }, next_cursor: { type: ['string', 'null'] } } },
      handler: async (ctx, { params, query }) => groups().members(ctx, params.id, { after: query.after, limit: query.limit }),
    },
  ];
  return { parts, routes };
}
