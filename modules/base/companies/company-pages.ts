import {
  type ModuleContext,
  type PageResult,
  CORE,
  CORE_PERMISSIONS,
  type Company,
  type CompanyService,
  type RequestContext,
  ForbiddenError,
  attempt,
  FormBody,
  FormProblem,
  requireId,
  text,
} from 'tessera/core';
import { BASE } from '../api';
import type { AuditTrail } from '../audit/audit-trail';
import { currencyOptions, timeZoneOptions } from './company-options';

const companies = (ctx: RequestContext) => ctx.container.get<CompanyService>(CORE.Companies);

/** Settings → Companies. */
export function registerCompanyPages(m: ModuleContext): void {
  m.routes.page({
    method: 'GET',
    path: '/admin/companies',
    permission: CORE_PERMISSIONS.companyRead,
    async handler(ctx) {
      return {
        view: 'base/companies-list',
        title: 'Companies',
        data: { rows: await companies(ctx).list(ctx), canCreate: ctx.principal.isSuperAdmin },
      };
    },
  });

  m.routes.page({
    method: 'GET',
    path: '/admin/companies/new',
    permission: CORE_PERMISSIONS.companyManage,
    async handler(ctx) {
      assertSuperAdmin(ctx);
      return companyForm(ctx, null, { currency: 'EUR', timezone: 'UTC' });
    },
  });

  m.routes.page({
    method: 'POST',
    path: '/admin/companies',
    permission: CORE_PERMISSIONS.companyManage,
    async handler(ctx, { body }) {
      assertSuperAdmin(ctx);
      const values = { code: text(body, 'code'), ...editable(body) };
      const result = await attempt(() => companies(ctx).create(ctx, values));
      if (!result.ok) return companyForm(ctx, null, values, result);
      return {
        redirect: `/admin/companies/${result.value.id}`,
        flash: { type: 'success', message: `Company ${result.value.name} created. Switch to it with the selector at the top.` },
      };
    },
  });

  m.routes.page({
    method: 'GET',
    path: '/admin/companies/:id',
    permission: CORE_PERMISSIONS.companyRead,
    async handler(ctx, { params }) {
      const company = await companies(ctx).get(ctx, requireId(params.id));
      return companyForm(ctx, company, company);
    },
  });

  m.routes.page({
    method: 'POST',
    path: '/admin/companies/:id',
    permission: CORE_PERMISSIONS.companyManage,
    async handler(ctx, { params, body }) {
      const company = await companies(ctx).get(ctx, requireId(params.id));
      const values = editable(body);
      const result = await attempt(() => companies(ctx).update(ctx, company.id, values));
      if (!result.ok) return companyForm(ctx, company, { ...company, ...values }, result);
      return { redirect: `/admin/companies/${company.id}`, flash: { type: 'success', message: `Company ${result.value.name} saved.` } };
    },
  });
}

function editable(body: FormBody) {
  return { name: text(body, 'name'), currency: text(body, 'currency').toUpperCase(), timezone: text(body, 'timezone') };
}

function assertSuperAdmin(ctx: RequestContext): void {
  if (!ctx.principal.isSuperAdmin) throw new ForbiddenError('super admin (creating a company)');
}

async function companyForm(ctx: RequestContext, company: Company | null, values: { currency?: string; timezone?: string }, problem?: FormProblem): Promise<PageResult> {
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
