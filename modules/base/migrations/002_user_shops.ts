import type { Knex } from 'knex';

/**
 * The shops a user works at, per company: a user given shops is limited to them where a module says
 * so (loyalty's managers scan only their shops' cards). No row: the user is not limited to shops.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('base_user_shops', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable().references('id').inTable('core_companies');
    t.integer('user_id').unsigned().notNullable();
    t.integer('shop_id').unsigned().notNullable().references('id').inTable('base_shops').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    t.unique(['user_id', 'shop_id'], { indexName: 'base_user_shops_unique' });
    t.index(['company_id', 'user_id'], 'base_user_shops_user_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('base_user_shops');
}
