import type { Knex } from 'knex';

/**
 * The 'Loyalty manager' role template: the staff at a shop's counter who scan and issue cards. Shared
 * by every company and editable like any role; an existing role of the same name is left as its
 * administrator made it. Their statistics are per user and shop (the shop each transaction names).
 */
export const ROLE_TEMPLATES = [
  {
    name: 'Loyalty manager',
    description: 'Scans cards at the counter (stamps, passes, purchases, rewards), issues cards to customers and reads them.',
    permissions: ['loyalty.card.scan', 'loyalty.card.issue', 'loyalty.card.read'],
  },
];

export async function up(knex: Knex): Promise<void> {
  const now = new Date();
  for (const role of ROLE_TEMPLATES) {
    if (await knex('core_roles').whereNull('company_id').where({ name: role.name }).first('id')) continue;
    const [id] = await knex('core_roles').insert({ company_id: null, name: role.name, description: role.description, is_super_admin: false, created_at: now, updated_at: now });
    await knex('core_role_permissions').insert(role.permissions.map((permission) => ({ role_id: Number(id), permission })));
  }
}

export async function down(knex: Knex): Promise<void> {
  // Only roles nobody holds go: a role given to users stays, with its permissions.
  for (const role of ROLE_TEMPLATES) {
    const row = await knex('core_roles').whereNull('company_id').where({ name: role.name }).first('id');
    if (!row || (await knex('core_user_roles').where({ role_id: row.id }).first('role_id'))) continue;
    await knex('core_roles').where({ id: row.id }).delete();
  }
}
