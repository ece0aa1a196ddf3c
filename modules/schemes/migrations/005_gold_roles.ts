import type { Knex } from 'knex';
import { installRoleTemplates, removeRoleTemplates, type RoleTemplate } from 'tessera/core';

/**
 * Gold scheme role templates, shared by every company and editable like any role: the counter cashier
 * enrols customers and records instalments; the manager holds every gold permission (templates, rates,
 * pause, tier changes, close with the customer's code, redemption, reports). An existing role of the
 * same name is left as its administrator made it.
 */
export const GOLD_ROLE_TEMPLATES: RoleTemplate[] = [
  {
    name: 'Gold scheme cashier',
    description: 'Enrols customers in gold schemes and records their instalments at the counter; reads plans.',
    permissions: ['schemes.plan.read', 'schemes.plan.enrol', 'schemes.plan.pay'],
  },
  {
    name: 'Gold scheme manager',
    description: 'Manages gold scheme templates and rates, enrols, records, pauses, changes tiers, closes and redeems plans, reads the reports.',
    permissions: [
      'schemes.scheme.manage', 'schemes.plan.read', 'schemes.plan.enrol', 'schemes.plan.pay', 'schemes.plan.pause',
      'schemes.plan.change', 'schemes.plan.close', 'schemes.plan.redeem', 'schemes.report.read',
    ],
  },
];

export async function up(knex: Knex): Promise<void> {
  await installRoleTemplates(knex, GOLD_ROLE_TEMPLATES);
}

export async function down(knex: Knex): Promise<void> {
  await removeRoleTemplates(knex, GOLD_ROLE_TEMPLATES);
}
