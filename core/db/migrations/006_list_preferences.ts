import type { Knex } from 'knex';

/**
 * What each person sets on a list and finds again next time: the columns they chose, in their order,
 * and the page size (`core_list_prefs`); the filters they saved under a name (`core_saved_filters`).
 * Keyed by user and list (`<module>.<entity>`), not by company: a person's habits follow them.
 * The audit log page filters a company's entries by record type and by person: two indexes for it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_list_prefs', (t) => {
    t.integer('user_id').unsigned().notNullable();
    t.string('list_key', 120).notNullable();
    t.text('columns').nullable();
    t.integer('page_size').unsigned().nullable();
    t.timestamp('updated_at', { useTz: false }).notNullable();
    t.primary(['user_id', 'list_key']);
  });
  await knex.schema.createTable('core_saved_filters', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable();
    t.string('list_key', 120).notNullable();
    t.string('name', 100).notNullable();
    t.text('query').notNullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.unique(['user_id', 'list_key', 'name']);
  });
  await knex.schema.alterTable('core_audit_log', (t) => {
    t.index(['company_id', 'record_table', 'id'], 'core_audit_log_company_table_idx');
    t.index(['company_id', 'actor_id', 'id'], 'core_audit_log_company_actor_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_audit_log', (t) => {
    t.dropIndex(['company_id', 'record_table', 'id'], 'core_audit_log_company_table_idx');
    t.dropIndex(['company_id', 'actor_id', 'id'], 'core_audit_log_company_actor_idx');
  });
  await knex.schema.dropTableIfExists('core_saved_filters');
  await knex.schema.dropTableIfExists('core_list_prefs');
}
