import type { Knex } from 'knex';
import { installRoleTemplates, removeRoleTemplates, type RoleTemplate } from 'tessera/core';

/**
 * Role templates shipped with the module, shared by every company and editable like any role: who
 * configures bonus bundles (supervisors, customer-service managers) and who records payments and only
 * reads bundles (agents). Security as data, installed with the module; an existing role of the same
 * name is left as its administrator made it.
 */
export const ROLE_TEMPLATES: RoleTemplate[] = [
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
  await installRoleTemplates(knex, ROLE_TEMPLATES);
}

export async function down(knex: Knex): Promise<void> {
  await removeRoleTemplates(knex, ROLE_TEMPLATES);
}
