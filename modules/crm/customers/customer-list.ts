import type { Container } from 'inversify';
import { AppError, COUNT_BOUND, HANDLED, ValidationError, collectIds, type BulkAction, type ListSetup, type RequestContext } from 'tessera/core';
import { CRM, type CustomerGroupService, type CustomerService } from '../api';
import { PERM } from '../permissions';
import { streamCustomerCsv } from '../export/csv-export';
import { countCustomers, matchingCustomerIds, tagCustomers } from './customer-bulk';
import { parseCriteria, parseSort } from './customer-criteria';
import type { CustomerCriteria } from './customer-types';

/** The query parameters that filter the customer list (what saved filters and "every match" keep). */
export const CUSTOMER_FILTERS = ['q', 'shop_id', 'group_id', 'tag', 'created_from', 'created_to', 'birth_month', 'classification', 'delivery_route', 'parent_id'];

/**
 * crm's hand-written customer list, described to the core's list controls like any derived list: its
 * columns, filters, count and matches, and its bulk actions (add to group, tag, export, delete), each
 * under its own permission.
 */
export function customerListSetup(container: Container): ListSetup {
  const customers = () => container.get<CustomerService>(CRM.Customers);
  const groups = () => container.get<CustomerGroupService>(CRM.CustomerGroups);
  const criteriaOf = (query: Record<string, string>): CustomerCriteria => parseCriteria(query);

  const bulk: BulkAction[] = [
    {
      name: 'add_to_group',
      label: 'Add to group',
      permission: PERM.groupManage,
      question: (rows) => `Add ${rows} to the group chosen below?`,
      inputs: async (ctx) => [{ name: 'group_id', label: 'Group', type: 'select', required: true, options: (await customerGroups(ctx, groups())).map((g) => ({ value: String(g.id), label: g.name })) }],
      run: async (ctx, selection, body) => {
        const groupId = Number(body.group_id);
        const group = (await customerGroups(ctx, groups())).find((g) => g.id === groupId);
        if (!group) throw new ValidationError({ group_id: 'choose one of the groups by customer' });
        const before = await groups().count(ctx, groupId);
        try {
          await groups().update(ctx, groupId, selection.ids ? { customer_ids: selection.ids } : { search: criteriaOf(selection.query) as never });
        } catch (error) {
          if (error instanceof AppError && error.status < 500) throw new ValidationError({ group_id: Object.values(error.fields)[0] ?? error.message });
          throw error;
        }
        const added = (await groups().count(ctx, groupId)) - before;
        return { message: `${added} customer${added === 1 ? '' : 's'} added to ${group.name}.` };
      },
    },
    {
      name: 'tag',
      label: 'Tag',
      permission: PERM.customerWrite,
      question: (rows) => `Add the tag typed below to ${rows}?`,
      inputs: async () => [{ name: 'tag', label: 'Tag', type: 'text', required: true }],
      run: async (ctx, selection, body) => {
        const added = await tagCustomers(ctx, await collectIds(selection), String(body.tag ?? ''));
        return { message: `Tag added to ${added} customer${added === 1 ? '' : 's'}.` };
      },
    },
    {
      name: 'export',
      label: 'Export CSV',
      permission: PERM.customerExport,
      question: (rows) => `Download ${rows} as a CSV file (the import's columns)?`,
      run: async (ctx, selection, _body, res) => {
        const criteria = { ...criteriaOf(selection.query), ...(selection.ids ? { ids: selection.ids } : {}) };
        await streamCustomerCsv(ctx, res, criteria, parseSort(selection.query.sort));
        return HANDLED;
      },
    },
    {
      name: 'delete',
      label: 'Delete',
      permission: PERM.customerDelete,
      danger: true,
      question: (rows) => `Delete ${rows}? This cannot be undone.`,
      run: async (ctx, selection) => {
        let deleted = 0;
        const refused: string[] = [];
        for (const id of await collectIds(selection)) {
          try {
            await customers().remove(ctx, id);
            deleted++;
          } catch (error) {
            // Family members and records of other modules keep a customer; say why, go on with the others.
            if (!(error instanceof AppError) || error.status >= 500) throw error;
            refused.push(error.message);
          }
        }
        const kept = refused.length ? ` ${refused.length} kept: ${refused.slice(0, 3).join('; ')}${refused.length > 3 ? '; …' : ''}` : '';
        return { message: `${deleted} customer${deleted === 1 ? '' : 's'} deleted.${kept}` };
      },
    },
  ];

  return {
    key: 'crm.customer',
    path: '/crm/customers',
    permission: PERM.customerRead,
    label: { one: 'Customer', many: 'Customers' },
    columns: [
      { key: 'code', label: 'Code', sort: 'code' },
      { key: 'name', label: 'Name', sort: 'name' },
      { key: 'phone', label: 'Phone' },
      { key: 'email', label: 'E-mail' },
      { key: 'shop', label: 'Shop' },
      { key: 'birthdate', label: 'Birthdate' },
      { key: 'tags', label: 'Tags' },
      { key: 'created', label: 'Created', sort: 'created' },
      { key: 'classification', label: 'Classification', optional: true },
      { key: 'delivery_route', label: 'Delivery route', optional: true },
    ],
    filterParams: CUSTOMER_FILTERS,
    bulk,
    count: (ctx, query) => countCustomers(ctx, criteriaOf(query), COUNT_BOUND),
    matches: (ctx, query) => matchingCustomerIds(ctx, criteriaOf(query)),
  };
}

/** Groups one adds customers to: by customer, of the company the person works in. */
async function customerGroups(ctx: RequestContext, groups: CustomerGroupService) {
  return (await groups.list(ctx)).filter((g) => g.type === 'customer' && g.company_id === ctx.companyId);
}
