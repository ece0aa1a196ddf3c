import type { Knex } from 'knex';

/**
 * Tables the module host keeps: module state, operations and ownership. The migration journal and the
 * lock table are made by the migrator itself, since it needs them before any migration runs.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_modules', (t) => {
    t.string('name', 40).primary();
    t.string('version', 20).notNullable();
    t.string('state', 20).notNullable(); // installing | installed | failed | uninstalled
    t.text('manifest').notNullable();
    t.timestamp('installed_at', { useTz: false }).nullable();
    t.timestamp('updated_at', { useTz: false }).notNullable();
  });
  await knex.schema.createTable('core_module_operations', (t) => {
    t.increments('id').primary();
    t.string('module', 40).notNullable().index();
    t.string('kind', 20).notNullable(); // install | upgrade | uninstall | rollback
    t.string('status', 20).notNullable(); // running | failed | done | rolled_back
    t.string('from_version', 20).nullable();
    t.string('to_version', 20).nullable();
    t.string('step', 255).nullable();
    t.text('error').nullable();
    t.timestamp('started_at', { useTz: false }).notNullable();
    t.timestamp('finished_at', { useTz: false }).nullable();
  });
  await knex.schema.createTable('core_module_ownership', (t) => {
    t.increments('id').primary();
    t.string('module', 40).notNullable().index();
    t.string('kind', 20).notNullable(); // table | permission | menu | slot | setting | template
    t.string('name', 191).notNullable();
    t.unique(['kind', 'name']);
  });
  await knex.schema.createTable('core_kv', (t) => {
    t.string('key', 64).primary();
    t.text('value').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['core_kv', 'core_module_ownership', 'core_module_operations', 'core_modules']) {
    await knex.schema.dropTableIfExists(table);
  }
}
