import type { Knex } from 'knex';

/** Tenancy and security: companies, users, roles, permissions, tokens, sessions and login attempts. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_companies', (t) => {
    t.increments('id').primary();
    t.string('code', 32).notNullable().unique();
    t.string('name', 191).notNullable();
    t.string('currency', 3).notNullable().defaultTo('EUR');
    t.string('timezone', 64).notNullable().defaultTo('UTC');
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.timestamp('updated_at', { useTz: false }).notNullable();
  });
  await knex.schema.createTable('core_users', (t) => {
    t.increments('id').primary();
    t.string('email', 191).notNullable().unique();
    t.string('name', 191).notNullable();
    t.string('password_hash', 255).notNullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.integer('default_company_id').unsigned().nullable().references('id').inTable('core_companies');
    t.timestamp('last_login_at', { useTz: false }).nullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.timestamp('updated_at', { useTz: false }).notNullable();
  });
  await knex.schema.createTable('core_user_companies', (t) => {
    t.integer('user_id').unsigned().notNullable().references('id').inTable('core_users').onDelete('CASCADE');
    t.integer('company_id').unsigned().notNullable().references('id').inTable('core_companies').onDelete('CASCADE');
    t.primary(['user_id', 'company_id']);
    t.index(['company_id']);
  });
  await knex.schema.createTable('core_roles', (t) => {
    t.increments('id').primary();
    // Null for roles shared by every company (the super admin role).
    t.integer('company_id').unsigned().nullable().references('id').inTable('core_companies');
    t.string('name', 100).notNullable();
    t.string('description', 255).notNullable().defaultTo('');
    t.boolean('is_super_admin').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.timestamp('updated_at', { useTz: false }).notNullable();
    t.unique(['company_id', 'name']);
  });
  await knex.schema.createTable('core_role_permissions', (t) => {
    t.integer('role_id').unsigned().notNullable().references('id').inTable('core_roles').onDelete('CASCADE');
    t.string('permission', 120).notNullable();
    t.primary(['role_id', 'permission']);
    t.index(['permission']);
  });
  await knex.schema.createTable('core_user_roles', (t) => {
    t.integer('user_id').unsigned().notNullable().references('id').inTable('core_users').onDelete('CASCADE');
    t.integer('role_id').unsigned().notNullable().references('id').inTable('core_roles').onDelete('CASCADE');
    t.primary(['user_id', 'role_id']);
  });
  await knex.schema.createTable('core_api_tokens', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('core_users').onDelete('CASCADE');
    t.string('name', 100).notNullable();
    t.string('prefix', 16).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.timestamp('last_used_at', { useTz: false }).nullable();
    t.timestamp('revoked_at', { useTz: false }).nullable();
  });
  await knex.schema.createTable('core_login_attempts', (t) => {
    t.increments('id').primary();
    t.string('email', 191).notNullable();
    t.string('ip', 64).notNullable();
    t.boolean('succeeded').notNullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.index(['email', 'created_at']);
    t.index(['ip', 'created_at']);
  });
  await knex.schema.createTable('core_sessions', (t) => {
    t.string('sid', 255).primary();
    t.text('sess').notNullable();
    t.timestamp('expired', { useTz: false }).notNullable().index();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['core_sessions', 'core_login_attempts', 'core_api_tokens', 'core_user_roles', 'core_role_permissions', 'core_roles', 'core_user_companies', 'core_users', 'core_companies']) {
    await knex.schema.dropTableIfExists(table);
  }
}
