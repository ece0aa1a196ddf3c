import { type ModuleContext, CORE, CORE_PERMISSIONS, type CompanyService, type RequestContext, idParams, intParam } from 'tessera/core';
import { companyCreateBody, companyPage, companyPatchBody, companySchema } from './company-schemas';

const tags = ['Companies'];
const companies = (ctx: RequestContext) => ctx.container.get<CompanyService>(CORE.Companies);

/** `/api/v1/base/companies`: the companies the caller belongs to; creating one takes a super admin. */
export function registerCompanyApi(m: ModuleContext): void {
  m.routes.api({
    method: 'GET',
    path: '/companies',
    permission: CORE_PERMISSIONS.companyRead,
    summary: 'List the companies you belong to',
    tags,
    response: companyPage,
    async handler(ctx) {
      // A user belongs to a handful of companies: one page, no cursor.
      return { data: await companies(ctx).list(ctx), next_cursor: null };
    },
  });

  m.routes.api({
    method: 'POST',
    path: '/companies',
    permission: CORE_PERMISSIONS.companyManage,
    summary: 'Create a company (super admins only)',
    tags,
    body: companyCreateBody,
    response: companySchema,
    status: 201,
    async handler(ctx, { body }) {
      return companies(ctx).create(ctx, body);
    },
  });

  m.routes.api({
    method: 'GET',
    path: '/companies/{id}',
    permission: CORE_PERMISSIONS.companyRead,
    summary: 'Get a company',
    tags,
    params: idParams,
    response: companySchema,
    async handler(ctx, { params }) {
      return companies(ctx).get(ctx, intParam(params.id));
    },
  });

  m.routes.api({
    method: 'PATCH',
    path: '/companies/{id}',
    permission: CORE_PERMISSIONS.companyManage,
    summary: 'Edit a company',
    tags,
    params: idParams,
    body: companyPatchBody,
    response: companySchema,
    async handler(ctx, { params, body }) {
      return companies(ctx).update(ctx, intParam(params.id), body);
    },
  });
}
