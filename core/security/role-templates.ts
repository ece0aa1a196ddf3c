import type { Knex } from 'knex';

/** A role a module ships: shared by every company (no company of its own) and editable like any role. */
export interface RoleTemplate {
  name: string;
  description: string;
  permissions: string[];
}

/**
 * For a module's migration: installs its role templates. A role of the same name already there is left
 * as its administrator made it (a re-install, or a role made by hand first).
 */
export async function installRoleTemplates(knex: Knex, templates: RoleTemplate[]): Promise<void> {
  const now = new Date();
  for (const role of templates) {
    if (await knex('core_roles').whereNull('company_id').where({ name: role.name }).first('id')) continue;
    const [id] = await knex('core_roles').insert({ company_id: null, name: role.name, description: role.description, is_super_admin: false, created_at: now, updated_at: now });
    if (role.permissions.length) await knex('core_role_permissions').insert(role.permissions.map((permission) => ({ role_id: Number(id), permission })));
  }
}

/** The migration's way back: only templates nobody holds go; a role given to users stays, with its permissions. */
export async function removeRoleTemplates(knex: Knex, templates: RoleTemplate[]): Promise<void> {
  for (const role of templates) {
    const row = await knex('core_roles').whereNull('company_id').where({ name: role.name }).first('id');
    if (!row || (await knex('core_user_roles').where({ role_id: row.id }).first('role_id'))) continue;
    await knex('core_roles').where({ id: row.id }).delete();
  }
}
