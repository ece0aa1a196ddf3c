import type { Container } from 'inversify';
import {
  COUNT_BOUND,
  ValidationError,
  firstValues,
  listControls,
  listState,
  type BoundedCount,
  type ListSetup,
  type PageResult,
  type RequestContext,
  formatDate,
} from 'tessera/core';
import { CRM, type CustomerGroupService, type CustomerService } from '../api';
import { PERM } from '../permissions';
import { shopsById } from '../shops';
import { crmSettings } from '../settings';
import { displayPhone } from './phone-numbers';
import { countCustomers } from './customer-bulk';
import { parseCriteria, parseSort } from './customer-criteria';
import type { Customer, CustomerCriteria, CustomerSort } from './customer-types';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * The customer list: search, the shop and group filters on the bar (the others folded), the count of
 * matches, sortable headers, the person's columns, saved filters and page size, pages, bulk actions.
 */
export async function customerListPage(ctx: RequestContext, container: Container, setup: ListSetup, rawQuery: Record<string, unknown>): Promise<PageResult> {
  const query = firstValues(rawQuery);
  const groups = container.get<CustomerGroupService>(CRM.CustomerGroups);
  // What does not depend on the rows is read at once: the person's settings, the shops, the groups.
  const [state, shops, allGroups] = await Promise.all([
    listState(ctx, setup, query),
    shopsById(ctx),
    ctx.can(PERM.groupRead) || ctx.can(PERM.groupManage) ? groups.list(ctx) : Promise.resolve([]),
  ]);
  let criteria: CustomerCriteria = {};
  let errors: Record<string, string> = {};
  let page = { data: [] as Customer[], next_cursor: null as string | null };
  let count: BoundedCount | null = null;
  let sort: CustomerSort = 'name';
  try {
    sort = parseSort(query.sort);
    criteria = parseCriteria(query);
    [page, count] = await Promise.all([
      container.get<CustomerService>(CRM.Customers).search(ctx, criteria, { sort, after: query.after ?? null, limit: state.pageSize }),
      countCustomers(ctx, criteria, COUNT_BOUND),
    ]);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    errors = error.fields;
  }
  const controls = listControls(ctx, setup, state, { query, count, nextCursor: page.next_cursor, sort });
  const timeZone = ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.timezone ?? 'UTC';
  // Numbers are stored in E.164; people read their own country's numbers in national form.
  const { phone_country: country } = await crmSettings(ctx);
  const cellOf = (c: Customer, key: string) => {
    const href = `/crm/customers/${c.id}`;
    switch (key) {
      case 'code':
        return { text: c.code, class: 'mono', href };
      case 'name':
        return { text: `${c.first_name} ${c.last_name}`.trim(), href, family: Boolean(c.parent_id) };
      case 'shop':
        return { text: shops.get(c.shop_id)?.name ?? '' };
      case 'birthdate':
        return { text: formatDate(c.birthdate), class: 'nowrap' };
      case 'created':
        return { text: formatDate(c.created_at, timeZone), class: 'nowrap' };
      case 'tags':
        return { text: '', badges: c.tags };
      case 'phone':
        return { text: displayPhone(c.phone, country), class: 'nowrap' };
      default:
        return { text: String((c as unknown as Record<string, unknown>)[key] ?? '') };
    }
  };
  const value = (name: string) => query[name] ?? '';
  const folded = ['tag', 'created_from', 'created_to', 'birth_month', 'classification', 'delivery_route'];
  return {
    view: 'crm/customer-list',
    title: 'Customers',
    data: {
      controls,
      exportHref: `/crm/customers/export.csv${controls.saved.current ? `?${controls.saved.current}` : ''}`,
      rows: page.data.map((c) => ({ id: c.id, title: `${c.first_name} ${c.last_name}`.trim(), cells: state.shown.map((col) => cellOf(c, col.key)) })),
      criteria: { ...criteria, created_from: value('created_from'), created_to: value('created_to'), tag: value('tag'), classification: value('classification'), delivery_route: value('delivery_route') },
      errors,
      errorList: Object.entries(errors).map(([field, reason]) => ({ field, reason })),
      filtered: setup.filterParams.some((p) => value(p) !== ''),
      moreOpen: folded.some((p) => value(p) !== '' || errors[p]),
      sort: query.sort ?? '',
      limit: query.limit ?? '',
      shopOptions: [...shops.values()].map((s) => ({ value: s.id, label: s.name, selected: criteria.shop_ids?.length === 1 && criteria.shop_ids[0] === s.id })),
      groupOptions: allGroups.map((g) => ({ value: g.id, label: g.name, selected: criteria.group_id === g.id })),
      monthOptions: MONTHS.map((label, i) => ({ value: i + 1, label, selected: criteria.birth_month === i + 1 })),
    },
  };
}
