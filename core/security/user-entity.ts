import { defineEntity } from '../resources/define-entity';
import { field } from '../resources/fields';
import type { RowScope } from '../resources/row-scope';
import { hashPassword } from './passwords';
import { CORE_PERMISSIONS } from './services';

/**
 * Users (core_users) belong to no single company: a caller sees those sharing at least one of its
 * companies (core_user_companies), however many others they work in.
 */
export const userScope: RowScope = {
  visible: (ctx, qb, alias) =>
    void qb.whereExists((sub) => sub.select('uc.user_id').from('core_user_companies as uc').whereRaw('?? = ??', ['uc.user_id', `${alias}.id`]).whereIn('uc.company_id', ctx.companyIds)),
  // A user's entries go under the company they start in, where their admins read the log.
  auditCompany: (ctx, row) => (row.default_company_id == null ? ctx.companyId : Number(row.default_company_id)),
};

export const userEntity = defineEntity({
  name: 'user',
  table: 'core_users',
  label: { one: 'User', many: 'Users' },
  description: 'People who share a company with you.',
  permissions: { read: CORE_PERMISSIONS.userRead, write: CORE_PERMISSIONS.userManage },
  paths: { api: false, pages: false },
  title: 'name',
  search: ['email', 'name'],
  // Keyset by id, as the list has always been.
  sorts: ['id'],
  scope: userScope,
  // The table has no created_by/updated_by, and the API has always answered without stamps.
  stamps: { columns: ['created_at', 'updated_at'], shown: false },
  fields: {
    email: field.email({ label: 'E-mail', required: true, unique: true, hint: 'The login, stored lower-case.' }),
    name: field.text({ label: 'Name', required: true, maxLength: 191 }),
    is_active: field.boolean({ label: 'Active', default: true, words: ['active', 'disabled'], hint: 'A disabled user cannot log in; their API tokens stop working.' }),
    // Hashed on the way in; never in a row, an answer or the history (audited as "changed").
    password: field.secret({ label: 'Password', required: true, minLength: 8, maxLength: 200, store: hashPassword, storedAs: 'password_hash' }),
    // One core_user_companies / core_user_roles row each: the user service's hooks write them, its reads put them back.
    company_ids: field.ids({
      label: 'Companies',
      column: false,
      required: true,
      minItems: 1,
      hint: "Companies among yours the user may work in; the user's others are kept",
    }),
    role_ids: field.ids({ label: 'Roles', column: false, default: [], hint: 'The complete set of roles; you must hold every permission they carry, and cannot change your own' }),
    // Written by the login, never through a form or the API.
    last_login_at: field.datetime({ label: 'Last login', readOnly: true }),
  },
});
