import type { Knex } from 'knex';

/**
 * Role templates shipped with the module, shared by every company and editable like any role: who
 * configures bonus bundles (supervisors, customer-service managers) and who records payments and only
 * reads bundles (agents). Security as data, installed with the module; an existing role of the same
 * name is left as its administrator made it.
 */
export const ROLE_TEMPLATES = [
  {
    name: 'Call center supervisor',
    description: 'Configures bonus bundles and customer groups, manages pay plans, records and reverses payments.',
    permissions: ['schemes.bundle.manage', 'schemes.plan.manage', 'crm.group.manage', 'billing.payment.record', 'billing.payment.reverse'],
  },
  {
    name: 'Customer service manager',
    description: 'Configures bonus bundles and customer groups, edits customers, manages pay plans and payments.',
    permissions: ['schemes.bundle.manage', 'schemes.plan.manage', 'crm.group.manage', 'crm.customer.write', 'billing.payment.record', 'billing.payment.reverse'],
  },
  {
    name: 'Call center agent',
    description: 'Calls customers from the expiring-soon list, records payments, reads bonus bundles (may not configure them).',
    permissions: ['schemes.bundle.read', 'schemes.plan.read', 'billing.payment.record'],
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
