import type { Knex } from 'knex';

/**
 * Gold scheme role templates, shared by every company and editable like any role: the counter cashier
 * enrols customers and records instalments; the manager holds every gold permission (templates, rates,
 * pause, tier changes, close with the customer's code, redemption, reports). An existing role of the
 * same name is left as its administrator made it.
 */
export const GOLD_ROLE_TEMPLATES = [
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
  const now = new Date();
  for (const role of GOLD_ROLE_TEMPLATES) {
    if (await knex('core_roles').whereNull('company_id').where({ name: role.name }).first('id')) continue;
    const [id] = await knex('core_roles').insert({ company_id: null, name: role.name, description: role.description, is_super_admin: false, created_at: now, updated_at: now });
    await knex('core_role_permissions').insert(role.permissions.map((permission) => ({ role_id: Number(id), permission })));
  }
}

export async function down(knex: Knex): Promise<void> {
  // Only roles nobody holds go: a role given to users stays, with its permissions.
  for (const role of GOLD_ROLE_TEMPLATES) {
    const row = await knex('core_roles').whereNull('company_id').where({ name: role.name }).first('id');
    if (!row || (await knex('core_user_roles').where({ role_id: row.id }).first('role_id'))) continue;
    await knex('core_roles').where({ id: row.id }).delete();
  }
}
