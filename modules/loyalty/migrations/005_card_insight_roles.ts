import type { Knex } from 'knex';
import { installRoleTemplates, removeRoleTemplates, type RoleTemplate } from 'tessera/core';

/**
 * The 'Loyalty manager' role template: the staff at a shop's counter who scan and issue cards. Shared
 * by every company and editable like any role; an existing role of the same name is left as its
 * administrator made it. Their statistics are per user and shop (the shop each transaction names).
 */
export const ROLE_TEMPLATES: RoleTemplate[] = [
  {
    name: 'Loyalty manager',
    description: 'Scans cards at the counter (stamps, passes, purchases, rewards), issues cards to customers and reads them.',
    permissions: ['loyalty.card.scan', 'loyalty.card.issue', 'loyalty.card.read'],
  },
];

export async function up(knex: Knex): Promise<void> {
  await installRoleTemplates(knex, ROLE_TEMPLATES);
}

export async function down(knex: Knex): Promise<void> {
  await removeRoleTemplates(knex, ROLE_TEMPLATES);
}
