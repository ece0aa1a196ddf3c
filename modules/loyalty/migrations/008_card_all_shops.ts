import type { Knex } from 'knex';
import { installRoleTemplates, removeRoleTemplates, type RoleTemplate } from 'tessera/core';

const ALL_SHOPS = 'loyalty.card.all_shops';

/**
 * Reaching every shop's cards is a permission a user holds (`loyalty.card.all_shops`), no longer what a
 * user given no shop gets by default. The 'Loyalty owner' role template holds it with the whole card
 * programme; the 'Loyalty manager' template does not: a manager reaches the shops base gives them.
 * Super admins hold every permission. A hand-made role is not widened here: its administrator grants it.
 */
export const OWNER_TEMPLATES: RoleTemplate[] = [
  {
    name: 'Loyalty owner',
    description: "Runs the card programme of every shop: templates, cards, scanner, statistics, campaigns and webhooks.",
    permissions: [
      'loyalty.card.read', 'loyalty.card.issue', 'loyalty.card.scan', 'loyalty.template.manage', 'loyalty.card.analyse',
      'loyalty.campaign.send', 'loyalty.webhook.manage', ALL_SHOPS,
    ],
  },
];

export async function up(knex: Knex): Promise<void> {
  await installRoleTemplates(knex, OWNER_TEMPLATES);
}

export async function down(knex: Knex): Promise<void> {
  await removeRoleTemplates(knex, OWNER_TEMPLATES);
  // The permission goes with the migration that brought it: no role keeps a grant of it.
  await knex('core_role_permissions').where({ permission: ALL_SHOPS }).delete();
}
