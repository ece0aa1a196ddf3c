import type { EntityService, PageOverride, PagePart, PageResult, RequestContext } from 'tessera/core';
import { attempt, FormBody, FormProblem, requireId, text } from 'tessera/core';
import { BASE } from '../api';
import type { AuditTrail } from '../audit/audit-trail';
import { currencyOptions, timeZoneOptions } from './company-options';
import type { companyEntity, CompanyRow } from './company-entity';

type Companies = EntityService<typeof companyEntity>;

/**
 * Settings → Companies: the entity's pages (paths, permissions, the super-admin rule on creating)
 * shown with base's own templates, whose currency and time zone pickers come from the runtime's ICU data.
 */
export function companyPages(companies: () => Companies): Partial<Record<PagePart, PageOverride>> {
  return {
    list: {
      handler: async (ctx) => ({
        view: 'base/companies-list',
        title: 'Companies',
        data: { rows: await companies().list(ctx), canCreate: companies().mayCreate(ctx) },
      }),
    },
    new: { handler: async (ctx) => companyForm(ctx, null, { currency: 'EUR', timezone: 'UTC' }) },
    create: {
      handler: async (ctx, { body }) => {
        const values = { code: text(body, 'code'), ...editable(body) };
        const result = await attempt(() => companies().create(ctx, values));
        if (!result.ok) return companyForm(ctx, null, values, result);
        return {
          redirect: `/admin/companies/${result.value.id}`,
          flash: { type: 'success', message: `Company ${result.value.name} created. Switch to it with the selector at the top.` },
        };
      },
    },
    record: {
      handler: async (ctx, { params }) => {
        const company = await companies().get(ctx, requireId(params.id));
        return companyForm(ctx, company, company);
      },
    },
    update: {
      handler: async (ctx, { params, body }) => {
        const company = await companies().get(ctx, requireId(params.id));
        const values = editable(body);
        const result = await attempt(() => companies().update(ctx, company.id, values));
        if (!result.ok) return companyForm(ctx, company, { ...company, ...values }, result);
        return { redirect: `/admin/companies/${company.id}`, flash: { type: 'success', message: `Company ${result.value.name} saved.` } };
      },
    },
  };
}

function editable(body: FormBody) {
  return { name: text(body, 'name'), currency: text(body, 'currency').toUpperCase(), timezone: text(body, 'timezone') };
}

async function companyForm(ctx: RequestContext, company: CompanyRow | null, values: { currency?: string; timezone?: string }, problem?: FormProblem): Promise<PageResult> {
  const trail = ctx.container.get<AuditTrail>(BASE.AuditTrail);
  const history = company && trail.canRead(ctx) ? await trail.forCheckedRecord(ctx, 'core_companies', company.id) : null;
  return {
    view: 'base/company-form',
    title: company ? company.name : 'New company',
    status: problem?.status,
    data: {
      company,
      values,
      errors: problem?.errors ?? {},
      formError: problem?.message ?? null,
      currencies: currencyOptions(String(values.currency ?? '')),
      timezones: timeZoneOptions(String(values.timezone ?? '')),
      history,
    },
  };
}
