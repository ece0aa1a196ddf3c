import type { Container } from 'inversify';
import { AppError, ValidationError, type PageOverride, type PagePart, type PageResult, type PageRoute, type RedirectResult, type RequestContext } from 'tessera/core';
import { CRM, type CustomerGroupService } from '../api';
import { PERM } from '../permissions';
import { shopsById } from '../shops';
import { parseCriteria } from '../customers/customer-criteria';
import { plainFilters } from '../customers/customer-entity';
import { displayPhone } from '../customers/phone-numbers';
import { crmSettings } from '../settings';
import type { CustomerGroup, GroupInput } from './group-types';
import { BASE, type AuditTrail } from '../../base/api';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function ids(value: unknown): number[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map(Number).filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * Group pages. The entity's pages (list, new, create, record, update, delete) keep their paths and
 * permissions from the declaration and get their own handlers here: a group's form picks shops, its
 * page previews and counts members. The member pages and the edit form are routes of their own.
 */
export function groupPages(container: Container): { parts: Partial<Record<PagePart, PageOverride>>; routes: PageRoute[] } {
  const groups = () => container.get<CustomerGroupService>(CRM.CustomerGroups);

  const form = async (ctx: RequestContext, group: CustomerGroup | null, values: Record<string, unknown>, errors: Record<string, string> = {}): Promise<PageResult> => {
    const shops = [...(await shopsById(ctx)).values()].filter((s) => s.company_id === (group?.company_id ?? ctx.companyId));
    const chosen = ids(values.shop_ids);
    return {
      view: 'crm/groups/group-form',
      title: group ? `Edit ${group.name}` : 'New customer group',
      status: Object.keys(errors).length ? 422 : 200,
      data: {
        group,
        values,
        errors,
        formError: Object.keys(errors).length ? 'Please correct the fields marked below.' : null,
        typeLabel: group ? (group.type === 'shop' ? 'By shop' : 'By customer') : '',
        typeOptions: [
          { value: 'shop', label: 'By shop' },
          { value: 'customer', label: 'By customer' },
        ],
        showShops: !group || group.type === 'shop',
        shopChoices: shops.map((s) => ({ id: s.id, code: s.code, name: s.name, checked: chosen.includes(s.id) })),
      },
    };
  };

  const addMembers = async (ctx: RequestContext, groupId: number, body: Record<string, unknown>): Promise<RedirectResult> => {
    const before = await groups().count(ctx, groupId);
    const patch: GroupInput = {};
    if (body.mode === 'selected') {
      patch.customer_ids = ids(body.customer_ids);
      if (!patch.customer_ids.length) return { redirect: `/crm/groups/${groupId}`, flash: { type: 'error', message: 'Tick at least one customer' } };
    } else {
      const search = (body.search ?? {}) as Record<string, unknown>;
      patch.search = parseCriteria(search) as GroupInput['search'];
    }
    try {
      await groups().update(ctx, groupId, patch);
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return { redirect: `/crm/groups/${groupId}`, flash: { type: 'error', message: Object.values(error.fields)[0] ?? error.message } };
      throw error;
    }
    const added = (await groups().count(ctx, groupId)) - before;
    return { redirect: `/crm/groups/${groupId}`, flash: { type: 'success', message: `${added} customer${added === 1 ? '' : 's'} added` } };
  };

  const parts: Partial<Record<PagePart, PageOverride>> = {
    list: {
      handler: async (ctx) => {
        const shops = await shopsById(ctx);
        const list = await groups().list(ctx);
        return {
          view: 'crm/groups/group-list',
          title: 'Customer groups',
          data: { groups: list.map((g) => ({ ...g, shop_names: g.shop_ids.map((id) => shops.get(id)?.name ?? `#${id}`).join(', ') })) },
        };
      },
    },
    new: {
      handler: async (ctx) => form(ctx, null, { type: 'shop' }),
    },
    create: {
      handler: async (ctx, { body }): Promise<PageResult | RedirectResult> => {
        const type = body.type === 'customer' ? 'customer' : body.type === 'shop' ? 'shop' : (String(body.type ?? '') as 'shop');
        try {
          const group = await groups().create(ctx, {
            name: String(body.name ?? ''),
            type,
            description: String(body.description ?? ''),
            shop_ids: type === 'shop' ? ids(body.shop_ids) : undefined,
          });
          return { redirect: `/crm/groups/${group.id}`, flash: { type: 'success', message: `Group ${group.name} created` } };
        } catch (error) {
          if (error instanceof ValidationError) return form(ctx, null, body, error.fields);
          throw error;
        }
      },
    },
    record: {
      handler: async (ctx, { params, query }) => {
        const group = await groups().get(ctx, Number(params.id) || 0);
        const shops = await shopsById(ctx);
        const { phone_country: country } = await crmSettings(ctx, group.company_id);
        const [page, memberCount] = await Promise.all([
          groups().members(ctx, group.id, { after: typeof query.after === 'string' ? query.after : null, limit: 50 }),
          groups().count(ctx, group.id),
        ]);
        const trail = container.get<AuditTrail>(BASE.AuditTrail);
        const showHistory = trail.canRead(ctx);
        return {
          view: 'crm/groups/group-detail',
          title: group.name,
          data: {
            group,
            memberCount,
            shops: group.shop_ids.map((id) => shops.get(id) ?? { id, name: `#${id}`, code: '' }),
            members: page.data.map((m) => ({ ...m, phone: displayPhone(m.phone, country), shop_name: shops.get(m.shop_id)?.name ?? '' })),
            next_cursor: page.next_cursor,
            canRemove: group.type === 'customer' && ctx.can(PERM.groupManage),
            shopOptions: [...shops.values()].filter((s) => s.company_id === group.company_id).map((s) => ({ value: s.id, label: s.name })),
            monthOptions: MONTHS.map((label, i) => ({ value: i + 1, label })),
            plainFilters: plainFilters.map((f) => ({ param: f.filter!.param, label: f.label })),
            showHistory,
            history: showHistory ? await trail.forRecord(ctx, 'crm_groups', group.id) : [],
          },
        };
      },
    },
    update: {
      handler: async (ctx, { params, body }): Promise<PageResult | RedirectResult> => {
        const group = await groups().get(ctx, Number(params.id) || 0);
        try {
          await groups().update(ctx, group.id, {
            name: String(body.name ?? ''),
            description: String(body.description ?? ''),
            ...(group.type === 'shop' ? { shop_ids: ids(body.shop_ids) } : {}),
          });
          return { redirect: `/crm/groups/${group.id}`, flash: { type: 'success', message: 'Group saved' } };
        } catch (error) {
          if (error instanceof ValidationError) return form(ctx, group, body, error.fields);
          throw error;
        }
      },
    },
    remove: {
      handler: async (ctx, { params }): Promise<RedirectResult> => {
        const group = await groups().get(ctx, Number(params.id) || 0);
        try {
          await groups().remove(ctx, group.id);
        } catch (error) {
          if (error instanceof AppError && error.status === 409) return { redirect: `/crm/groups/${group.id}`, flash: { type: 'error', message: error.message } };
          throw error;
        }
        return { redirect: '/crm/groups', flash: { type: 'success', message: `Group ${group.name} deleted` } };
      },
    },
  };

  const routes: PageRoute[] = [
    {
      // Adding from the customer list: the group is chosen in the form, so it is not in the path.
      method: 'POST',
      path: '/crm/groups/add-members',
      permission: PERM.groupManage,
      handler: async (ctx, { body }) => {
        const groupId = Number(body.group_id);
        if (!Number.isInteger(groupId) || groupId <= 0) return { redirect: '/crm/customers', flash: { type: 'error', message: 'Choose a group' } };
        return addMembers(ctx, groupId, body);
      },
    },
    {
      method: 'GET',
      path: '/crm/groups/:id/edit',
      permission: PERM.groupManage,
      handler: async (ctx, { params }) => {
        const group = await groups().get(ctx, Number(params.id) || 0);
        return form(ctx, group, { name: group.name, description: group.description, shop_ids: group.shop_ids });
      },
    },
    {
      method: 'POST',
      path: '/crm/groups/:id/members',
      permission: PERM.groupManage,
      handler: async (ctx, { params, body }) => addMembers(ctx, Number(params.id) || 0, body),
    },
    {
      method: 'POST',
      path: '/crm/groups/:id/members/remove',
      permission: PERM.groupManage,
      handler: async (ctx, { params, body }): Promise<RedirectResult> => {
        const groupId = Number(params.id) || 0;
        const remove = ids(body.customer_ids);
        if (!remove.length) return { redirect: `/crm/groups/${groupId}`, flash: { type: 'error', message: 'Tick at least one customer' } };
        await groups().update(ctx, groupId, { remove_customer_ids: remove });
        return { redirect: `/crm/groups/${groupId}`, flash: { type: 'success', message: `${remove.length} customer${remove.length === 1 ? '' : 's'} removed` } };
      },
    },
  ];
  return { parts, routes };
}
