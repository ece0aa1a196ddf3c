import { type ApiRoute, HANDLED } from 'tessera/core';
import { CRM, type CustomerGroupService, type CustomerService } from '../api';
import { PERM } from '../permissions';
import { streamCustomerCsv } from '../export/csv-export';
import { groupSchema } from '../groups/group-schemas';
import { parseCriteria, parseSort } from './customer-criteria';
import { duplicatePhones } from './customer-duplicates';
import { customerCreateBody, customerExportQuery, duplicatePhonesQuery, duplicatePhonesSchema, customerListQuery, customerPageSchema, customerPatchBody, customerSchema, idParams } from './customer-schemas';
import type { Container } from 'inversify';

/** `/api/v1/crm/customers...`. Fixed paths (export, import) are declared before `{id}` so they win. */
export function customerApiRoutes(container: Container): ApiRoute[] {
  const customers = () => container.get<CustomerService>(CRM.Customers);
  const groups = () => container.get<CustomerGroupService>(CRM.CustomerGroups);
  return [
    {
      method: 'GET',
      path: '/customers',
      permission: PERM.customerRead,
      summary: 'List customers: prefix search `q` over name, code, phone and e-mail, filters, sort, keyset pages',
      query: customerListQuery,
      response: customerPageSchema,
      handler: async (ctx, { query }) => customers().search(ctx, parseCriteria(query), { sort: parseSort(query.sort), after: query.after, limit: query.limit }),
    },
    {
      method: 'POST',
      path: '/customers',
      permission: PERM.customerWrite,
      summary: 'Create a customer (the code is generated when left out)',
      body: customerCreateBody,
      response: customerSchema,
      status: 201,
      handler: async (ctx, { body }) => customers().create(ctx, body),
    },
    {
      method: 'GET',
      path: '/customers/export',
      permission: PERM.customerExport,
      summary: 'Export the customers matching the list filters as CSV (streamed; the import template columns)',
      query: customerExportQuery,
      handler: async (ctx, { query }, _req, res) => {
        await streamCustomerCsv(ctx, res, parseCriteria(query), parseSort(query.sort));
        return HANDLED;
      },
    },
    {
      method: 'GET',
      path: '/customers/duplicate-phones',
      permission: PERM.customerRead,
      summary:
        'Phones held by more than one customer in their own right (made before a phone belonged to one customer), to be merged; a family member sharing its main customer\'s phone is not a duplicate. Pages of phones: pass `after=<next_cursor>`.',
      query: duplicatePhonesQuery,
      response: duplicatePhonesSchema,
      handler: async (ctx, { query }) => duplicatePhones(ctx, { after: query.after, limit: query.limit }),
    },
    {
      method: 'GET',
      path: '/customers/{id}',
      permission: PERM.customerRead,
      summary: 'One customer; `login` only for holders of crm.customer.login_details',
      params: idParams,
      response: customerSchema,
      handler: async (ctx, { params }) => customers().get(ctx, params.id),
    },
    {
      method: 'PATCH',
      path: '/customers/{id}',
      permission: PERM.customerWrite,
      summary: 'Change some fields of a customer',
      params: idParams,
      body: customerPatchBody,
      response: customerSchema,
      handler: async (ctx, { params, body }) => customers().update(ctx, params.id, body),
    },
    {
      method: 'DELETE',
      path: '/customers/{id}',
      permission: PERM.customerDelete,
      summary: 'Delete a customer; refused (409) while other records use it, with the reason',
      params: idParams,
      status: 204,
      handler: async (ctx, { params }) => {
        await customers().remove(ctx, params.id);
        return null;
      },
    },
    {
      method: 'GET',
      path: '/customers/{id}/groups',
      permission: PERM.customerRead,
      summary: 'The groups holding a customer, by shop and by customer',
      params: idParams,
      response: { type: 'object', properties: { data: { type: 'array', items: groupSchema } } },
      handler: async (ctx, { params }) => ({ data: await groups().groupsOf(ctx, params.id) }),
    },
    {
      method: 'GET',
      path: '/customers/{id}/family',
      permission: PERM.customerRead,
      summary: 'The family members (sub-accounts) of a main customer',
      params: idParams,
      response: { type: 'object', properties: { data: { type: 'array', items: customerSchema } } },
      handler: async (ctx, { params }) => {
        await customers().get(ctx, params.id);
        return { data: await customers().family(ctx, params.id) };
      },
    },
  ];
}
