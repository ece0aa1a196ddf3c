import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Customers, their tags and their online logins. The `*_norm` columns exist only for search: each is
 * indexed with `company_id` first so a prefix search is one index range per column.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'crm_customers', (t) => {
    // A base shop; checked through base's ShopService on write (no foreign key into another module's table).
    t.integer('shop_id').unsigned().notNullable();
    t.string('code', 64).notNullable();
    t.string('first_name', 100).notNullable().defaultTo('');
    t.string('last_name', 100).notNullable();
    t.string('phone', 40).nullable();
    t.string('email', 191).nullable();
    t.date('birthdate').nullable();
    // Kept apart from birthdate so "birthdays in March" is an index lookup, not a function over every row.
    t.tinyint('birth_month').unsigned().nullable();
    t.string('classification', 64).nullable();
    t.string('delivery_route', 64).nullable();
    // Family sub-account: the main customer stays the point of contact. One level only.
    t.integer('parent_id').unsigned().nullable().references('id').inTable('crm_customers');
    t.text('custom_fields').nullable();
    t.string('name_norm', 191).notNullable();
    t.string('name_rev_norm', 191).notNullable();
    t.string('code_norm', 64).notNullable();
    t.string('phone_norm', 40).nullable();
    t.string('email_norm', 191).nullable();
    // Uniqueness on the normalized code so "jw-1" and "JW-1" are one code on SQLite as on MySQL.
    t.unique(['company_id', 'code_norm'], { indexName: 'crm_customers_code_unique' });
    t.index(['company_id', 'name_norm'], 'crm_customers_name_idx');
    // name_norm rides along so a prefix range on these columns, sorted by name, is read from the index
    // alone (no row lookups before the sort); the id every InnoDB index carries covers "newest first".
    t.index(['company_id', 'name_rev_norm', 'name_norm'], 'crm_customers_name_rev_idx');
    t.index(['company_id', 'phone_norm', 'name_norm'], 'crm_customers_phone_idx');
    t.index(['company_id', 'email_norm', 'name_norm'], 'crm_customers_email_idx');
    // (shop, id) order: members of a by-shop group, streamed in pages.
    t.index(['company_id', 'shop_id'], 'crm_customers_shop_idx');
    // Equality filters of the list, each followed by the name so "filter, sorted by name" is one
    // ordered index range, however common the value.
    t.index(['company_id', 'shop_id', 'name_norm'], 'crm_customers_shop_name_idx');
    t.index(['company_id', 'birth_month', 'name_norm'], 'crm_customers_birth_month_idx');
    t.index(['company_id', 'classification', 'name_norm'], 'crm_customers_classification_idx');
    t.index(['company_id', 'delivery_route', 'name_norm'], 'crm_customers_route_idx');
    t.index(['company_id', 'created_at'], 'crm_customers_created_idx');
    t.index(['parent_id'], 'crm_customers_parent_idx');
  });

  await knex.schema.createTable('crm_customer_tags', (t) => {
    t.integer('company_id').unsigned().notNullable();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('crm_customers').onDelete('CASCADE');
    t.string('tag', 40).notNullable();
    t.primary(['customer_id', 'tag']);
    t.index(['company_id', 'tag', 'customer_id'], 'crm_customer_tags_tag_idx');
  });

  await createBusinessTable(knex, 'crm_customer_logins', (t) => {
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('crm_customers').onDelete('CASCADE');
    t.string('username', 191).notNullable();
    t.string('password_hash', 255).nullable();
    t.timestamp('last_login_at', { useTz: false }).nullable();
    t.unique(['customer_id'], { indexName: 'crm_customer_logins_customer_unique' });
    t.unique(['company_id', 'username'], { indexName: 'crm_customer_logins_username_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('crm_customer_logins');
  await knex.schema.dropTableIfExists('crm_customer_tags');
  await knex.schema.dropTableIfExists('crm_customers');
}
