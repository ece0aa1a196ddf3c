import type { Container } from 'inversify';
import type { ApiRoute } from 'tessera/core';
import { CRM, type CustomerGroupService } from '../api';
import { PERM } from '../permissions';
import { idParams } from '../customers/customer-schemas';
import { groupCreateBody, groupPatchBody, groupSchema, memberSchema, membersQuery } from './group-schemas';

/** `/api/v1/crm/groups...` */
export function groupApiRoutes(container: Container): ApiRoute[] {
  const groups = () => container.get<CustomerGroupService>(CRM.CustomerGroups);
  return [
    {
      method: 'GET',
      path: '/groups',
      permission: PERM.groupRead,
      summary: 'Customer groups of the current companies',
      response: { type: 'object', properties: { data: { type: 'array', items: groupSchema } } },
      handler: async (ctx) => ({ data: await groups().list(ctx) }),
    },
    {
      method: 'POST',
      path: '/groups',
      permission: PERM.groupManage,
      summary: 'Create a group: `shop` with `shop_ids`, or `customer` with `customer_ids` and/or a `search` whose results are added',
      body: groupCreateBody,
      response: groupSchema,
      status: 201,
      handler: async (ctx, { body }) => {
        const group = await groups().create(ctx, body);
        return { ...group, member_count: await groups().count(ctx, group.id) };
      },
    },
    {
      method: 'GET',
      path: '/groups/{id}',
      permission: PERM.groupRead,
      summary: 'One group with its member count',
      params: idParams,
      response: groupSchema,
      handler: async (ctx, { params }) => ({ ...(await groups().get(ctx, params.id)), member_count: await groups().count(ctx, params.id) }),
    },
    {
      method: 'PATCH',
      path: '/groups/{id}',
      permission: PERM.groupManage,
      summary: 'Rename, replace the shops, or add and remove members (customer_ids, search, remove_customer_ids)',
      params: idParams,
      body: groupPatchBody,
      response: groupSchema,
      handler: async (ctx, { params, body }) => {
        const group = await groups().update(ctx, params.id, body);
        return { ...group, member_count: await groups().count(ctx, group.id) };
      },
    },
    {
      method: 'DELETE',
      path: '/groups/{id}',
      permission: PERM.groupManage,
      summary: 'Delete a group; refused (409) while another module uses it',
      params: idParams,
      status: 204,
      handler: async (ctx, { params }) => {
        await groups().remove(ctx, params.id);
        return null;
      },
    },
    {
      method: 'GET',
      path: '/groups/{id}/members',
      permission: PERM.groupRead,
      summary: 'Members of a group, in keyset pages (for a by-shop group: the current customers of its shops)',
      params: idParams,
      query: membersQuery,
      response: { type: 'object', properties: { data: { type: 'array', items: memberSchema }, next_cursor: { type: ['string', 'null'] } } },
      handler: async (ctx, { params, query }) => groups().members(ctx, params.id, { after: query.after, limit: query.limit }),
    },
  ];
}
