import type { Container } from 'inversify';
import {
  AppError,
  ValidationError,
  type PageResult,
  type PageRoute,
  type RedirectResult,
  HANDLED,
  type RequestContext,
  buildQueryString,
} from 'tessera/core';
import { displayPhone } from './phone-numbers';
import { CRM, type CustomerGroupService, type CustomerService } from '../api';
import { PERM } from '../permissions';
import { crmSettings } from '../settings';
import { shopsById } from '../shops';
import { streamCustomerCsv } from '../export/csv-export';
import { criteriaToQuery, parseCriteria, parseSort } from './customer-criteria';
import type { CustomFieldDef } from './custom-fields';
import { plainFields, plainValuesOf } from './customer-entity';
import type { Customer, CustomerCriteria, CustomerInput } from './customer-types';
import { BASE, type AuditTrail } from '../../base/api';
import { listRoutes, CORE_PERMISSIONS } from 'tessera/core';
import { customerListSetup } from './customer-list';
import { customerListPage } from './customer-list-page';
import { customerHistory } from './customer-history';



/** The customer pages: list and search, detail, create and edit forms, delete, CSV export. */
export function customerPageRoutes(container: Container): PageRoute[] {
  const customers = () => container.get<CustomerService>(CRM.Customers);
  const groups = () => container.get<CustomerGroupService>(CRM.CustomerGroups);
  const list = customerListSetup(container);

  const form = async (ctx: RequestContext, customer: Customer | null, values: Record<string, unknown>, errors: Record<string, string> = {}): Promise<PageResult> => {
    const settings = await crmSettings(ctx);
    const shops = [...(await shopsById(ctx)).values()].filter((s) => s.company_id === (customer?.company_id ?? ctx.companyId));
    const fieldErrors: Record<string, string> = {};
    for (const [key, reason] of Object.entries(errors)) fieldErrors[key.replace(/^login\./, 'login_')] = reason;
    return {
      view: 'crm/customer-form',
      title: customer ? `Edit ${customer.code}` : 'New customer',
      status: Object.keys(errors).length ? 422 : 200,
      data: {
        customer,
        values,
        errors: fieldErrors,
        formError: Object.keys(errors).length ? 'Please correct the fields marked below.' : null,
        shopOptions: shops.map((s) => ({ value: s.id, label: `${s.name} (${s.code})` })),
        codeHint: customer ? 'Unique in the company' : `Left empty, the company's next code is used (format ${settings.customer_code_format})`,
        codePlaceholder: customer ? '' : 'generated',
        plainFields: plainFields.map((f) => ({ label: f.label, name: f.key, type: 'text', value: values[f.key] ?? '', error: fieldErrors[f.key], required: Boolean(f.options.required), hint: f.options.hint ?? '', placeholder: f.options.placeholder ?? '' })),
        passwordHint: passwordHint(customer),
        phoneHint: `Numbers without + and a country code are read as numbers of ${settings.phone_country}; others start with + (+32 470 12 34 56).`,
        customFields: settings.custom_fields.map((def) => customFieldView(def, values, fieldErrors)),
      },
    };
  };

  return [
    {
      method: 'GET',
      path: '/crm/customers',
      permission: PERM.customerRead,
      handler: async (ctx, { query }) => customerListPage(ctx, container, list, query),
    },
    ...listRoutes(list),
    {
      method: 'GET',
      path: '/crm/customers/export.csv',
      permission: PERM.customerExport,
      handler: async (ctx, { query }, _req, res) => {
        await streamCustomerCsv(ctx, res, parseCriteria(query), parseSort(query.sort));
        return HANDLED;
      },
    },
    {
      method: 'GET',
      path: '/crm/customers/new',
      permission: PERM.customerWrite,
      handler: async (ctx, { query }) => form(ctx, null, { parent_code: query.parent_code ?? '', shop_id: query.shop_id ?? '' }),
    },
    {
      method: 'POST',
      path: '/crm/customers',
      permission: PERM.customerWrite,
      handler: async (ctx, { body }): Promise<PageResult | RedirectResult> => {
        try {
          const created = await customers().create(ctx, await inputFromForm(ctx, body, null));
          return { redirect: `/crm/customers/${created.id}`, flash: { type: 'success', message: `Customer ${created.code} created` } };
        } catch (error) {
          if (error instanceof ValidationError) return form(ctx, null, body, error.fields);
          throw error;
        }
      },
    },
    {
      method: 'GET',
      path: '/crm/customers/:id',
      permission: PERM.customerRead,
      handler: async (ctx, { params }) => {
        const customer = await customers().get(ctx, Number(params.id) || 0);
        const settings = await crmSettings(ctx, customer.company_id);
        const shops = await shopsById(ctx);
        const [customerGroups, family, parent] = await Promise.all([
          groups().groupsOf(ctx, customer.id),
          customer.parent_id ? Promise.resolve([]) : customers().family(ctx, customer.id),
          customer.parent_id ? customers().get(ctx, customer.parent_id) : Promise.resolve(null),
        ]);
        const showHistory = ctx.can(CORE_PERMISSIONS.auditRead);
        return {
          view: 'crm/customer-detail',
          title: `${customer.first_name} ${customer.last_name}`.trim(),
          data: {
            customer: { ...customer, phone: displayPhone(customer.phone, settings.phone_country) },
            shop: shops.get(customer.shop_id) ?? { name: `#${customer.shop_id}`, code: '' },
            parent: parent ? { id: parent.id, code: parent.code, first_name: parent.first_name, last_name: parent.last_name } : null,
            family,
            showFamily: !customer.parent_id,
            groups: customerGroups,
            plainFields: plainFields.map((f) => ({ label: f.label, display: displayCustom(customer[f.key as keyof Customer]) })),
            customFields: settings.custom_fields.map((def) => ({ label: def.label, display: displayCustom(customer.custom_fields[def.key]) })),
            showHistory,
            history: showHistory ? await customerHistory(ctx, customer) : [],
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/crm/customers/:id/edit',
      permission: PERM.customerWrite,
      handler: async (ctx, { params }) => {
        const customer = await customers().get(ctx, Number(params.id) || 0);
        return form(ctx, customer, await valuesOf(ctx, customer));
      },
    },
    {
      method: 'POST',
      path: '/crm/customers/:id',
      permission: PERM.customerWrite,
      handler: async (ctx, { params, body }): Promise<PageResult | RedirectResult> => {
        const customer = await customers().get(ctx, Number(params.id) || 0);
        try {
          await customers().update(ctx, customer.id, await inputFromForm(ctx, body, customer));
          return { redirect: `/crm/customers/${customer.id}`, flash: { type: 'success', message: 'Customer saved' } };
        } catch (error) {
          if (error instanceof ValidationError) return form(ctx, customer, body, error.fields);
          throw error;
        }
      },
    },
    {
      method: 'POST',
      path: '/crm/customers/:id/delete',
      permission: PERM.customerDelete,
      handler: async (ctx, { params }): Promise<RedirectResult> => {
        const customer = await customers().get(ctx, Number(params.id) || 0);
        try {
          await customers().remove(ctx, customer.id);
        } catch (error) {
          // Refusals (family members, records of other modules) carry their reason; show it on the page.
          if (error instanceof AppError && error.status === 409) return { redirect: `/crm/customers/${customer.id}`, flash: { type: 'error', message: error.message } };
          throw error;
        }
        return { redirect: '/crm/customers', flash: { type: 'success', message: `Customer ${customer.code} deleted` } };
      },
    },
  ];
}

/** Form fields to the service's input; the main customer is typed as a code, resolved here. */
async function inputFromForm(ctx: RequestContext, body: Record<string, unknown>, existing: Customer | null): Promise<CustomerInput> {
  const settings = await crmSettings(ctx);
  const text = (key: string) => (body[key] === undefined ? undefined : String(body[key] ?? ''));
  const input: CustomerInput = {
    code: text('code'),
    first_name: text('first_name'),
    last_name: text('last_name'),
    phone: text('phone'),
    email: text('email'),
    birthdate: text('birthdate'),
    shop_id: text('shop_id'),
    ...Object.fromEntries(plainFields.map((f) => [f.key, text(f.key)])),
    tags: text('tags') ?? '',
  };
  if (existing && !input.code) delete input.code;
  const parentCode = (text('parent_code') ?? '').trim();
  if (parentCode) {
    const parent = await ctx.container.get<CustomerService>(CRM.Customers).findByCode(ctx, parentCode);
    if (!parent) throw new ValidationError({ parent_id: `no customer has the code "${parentCode}"` });
    input.parent_id = parent.id;
  } else input.parent_id = null;
  const custom = (body.custom_fields ?? {}) as Record<string, unknown>;
  input.custom_fields = {};
  for (const def of settings.custom_fields) {
    const value = custom[def.key];
    // An unticked checkbox sends nothing: that is "no".
    input.custom_fields[def.key] = def.type === 'boolean' ? (value ? 'yes' : 'no') : value ?? '';
  }
  if (ctx.can(PERM.loginDetails)) {
    const username = (text('login_username') ?? '').trim();
    const password = text('login_password') ?? '';
    if (username) input.login = { username, password: password || null };
    else if (existing?.login) input.login = null;
  }
  return input;
}

async function valuesOf(ctx: RequestContext, c: Customer): Promise<Record<string, unknown>> {
  const parent = c.parent_id ? await ctx.db.query('crm_customers').where('id', c.parent_id).first('code') : null;
  const { phone_country: country } = await crmSettings(ctx, c.company_id);
  return {
    code: c.code,
    first_name: c.first_name,
    last_name: c.last_name,
    phone: displayPhone(c.phone, country),
    email: c.email,
    birthdate: c.birthdate,
    shop_id: c.shop_id,
    ...plainValuesOf(c),
    tags: c.tags.join(', '),
    parent_code: parent?.code ?? '',
    custom_fields: c.custom_fields,
    login_username: c.login?.username ?? '',
  };
}

function customFieldView(def: CustomFieldDef, values: Record<string, unknown>, errors: Record<string, string>) {
  const custom = (values.custom_fields ?? {}) as Record<string, unknown>;
  const type = def.type ?? 'text';
  const value = custom[def.key];
  return {
    label: def.label,
    fieldName: `custom_fields[${def.key}]`,
    inputType: type === 'boolean' ? 'checkbox' : type === 'select' ? 'select' : type === 'date' ? 'date' : type === 'number' ? 'number' : 'text',
    value: type === 'boolean' ? value === true || value === 'yes' || value === '1' : value ?? '',
    error: errors[`custom_fields.${def.key}`],
    required: !!def.required,
    choices: (def.options ?? []).map((o) => ({ value: o, label: o })),
  };
}

function displayCustom(value: unknown): string {
  if (value === true) return 'yes';
  if (value === false) return 'no';
  return value === null || value === undefined ? '' : String(value);
}

/** A new customer has no password to keep; an existing one may have none yet. */
function passwordHint(customer: Customer | null): string {
  if (customer?.login?.has_password) return 'At least 8 characters; leave empty to keep the current one';
  return 'At least 8 characters; leave empty for no password';
}
