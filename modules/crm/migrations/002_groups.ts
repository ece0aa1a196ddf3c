import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Customer groups. A by-shop group stores only its shops: membership is derived at query time from the
 * customers' shop, so a customer created or moved later is in or out without anyone touching the group.
 * A by-customer group stores its explicit members.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'crm_groups', (t) => {
    t.string('name', 100).notNullable();
    t.string('type', 16).notNullable(); // shop | customer
    t.string('description', 255).notNullable().defaultTo('');
    t.unique(['company_id', 'name'], { indexName: 'crm_groups_name_unique' });
  });

  await knex.schema.createTable('crm_group_shops', (t) => {
    t.integer('company_id').unsigned().notNullable();
    t.integer('group_id').unsigned().notNullable().references('id').inTable('crm_groups').onDelete('CASCADE');
    t.integer('shop_id').unsigned().notNullable();
    t.primary(['group_id', 'shop_id']);
    // "Which groups hold customer X" starts from X's shop.
    t.index(['company_id', 'shop_id'], 'crm_group_shops_shop_idx');
  });

  await knex.schema.createTable('crm_group_members', (t) => {
    t.integer('company_id').unsigned().notNullable();
    t.integer('group_id').unsigned().notNullable().references('id').inTable('crm_groups').onDelete('CASCADE');
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('crm_customers').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    t.integer('created_by').unsigned().nullable();
    t.primary(['group_id', 'customer_id']);
    t.index(['customer_id', 'group_id'], 'crm_group_members_customer_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('crm_group_members');
  await knex.schema.dropTableIfExists('crm_group_shops');
  await knex.schema.dropTableIfExists('crm_groups');
}
