import { CORE_PERMISSIONS, bumpSecurityVersion, isTimeZone, defineEntity, field, type EntityHooks, type EntityRow, type RowScope } from 'tessera/core';

/**
 * Companies (core_companies) own the business rows but are owned by none: a user sees the companies
 * they belong to (a super admin all, as their context says); only a super admin creates one.
 */
const companyScope: RowScope = {
  visible: (ctx, qb, alias) => void qb.whereIn(`${alias}.id`, ctx.companyIds),
  mayCreate: (ctx) => ctx.principal.isSuperAdmin,
  // A company's history is its own.
  auditCompany: (_ctx, row) => Number(row.id),
};

export const companyEntity = defineEntity({
  name: 'company',
  table: 'core_companies',
  label: { one: 'Company', many: 'Companies' },
  description: 'The companies you belong to; creating one takes a super admin.',
  permissions: { read: CORE_PERMISSIONS.companyRead, write: CORE_PERMISSIONS.companyManage },
  paths: { api: '/companies', pages: '/admin/companies' },
  title: 'name',
  sorts: ['name'],
  scope: companyScope,
  // The table has no created_by/updated_by, and the API has always answered without stamps.
  stamps: { columns: ['created_at', 'updated_at'], shown: false },
  fields: {
    code: field.code({
      label: 'Code',
      required: true,
      maxLength: 32,
      unique: true,
      fixed: true,
      hint: 'Unique across the installation',
      validate: (code) => (code.length < 2 ? 'must be 2 to 32 letters, digits, - or _' : null),
    }),
    name: field.text({ label: 'Name', required: true, maxLength: 191 }),
    currency: field.code({
      label: 'Currency',
      default: 'EUR',
      maxLength: 3,
      hint: 'ISO 4217 code; amounts of the company are in its minor units',
      validate: (code) => (/^[A-Z]{3}$/.test(code) ? null : 'must be a 3-letter ISO 4217 code'),
    }),
    timezone: field.text({ label: 'Time zone', default: 'UTC', maxLength: 64, hint: 'IANA time zone; business dates are calendar days in it', validate: (zone) => (isTimeZone(zone) ? null : 'is not a known IANA time zone') }),
  },
});

export type CompanyRow = EntityRow<typeof companyEntity>;

/** A new company's creator belongs to it; any change reaches every signed-in context (names, zones). */
export const companyHooks: EntityHooks<CompanyRow> = {
  async afterWrite(ctx, { action, row }) {
    const knex = ctx.db.unscoped('company membership and the security version are no company rows');
    if (action === 'create' && row && ctx.user.id) await knex('core_user_companies').insert({ user_id: ctx.user.id, company_id: row.id });
    await bumpSecurityVersion(knex);
  },
};
