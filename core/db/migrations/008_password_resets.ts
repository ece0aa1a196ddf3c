import type { Knex } from 'knex';

/**
 * Requests to reset a forgotten password: one row per request, whether the address is an account or
 * not (the rate limits count both alike). The token exists only as its SHA-256; it is made by the job
 * that sends it, so the clear token is never stored.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_password_resets', (t) => {
    t.increments('id').primary();
    t.string('email', 191).notNullable();
    t.string('ip', 64).notNullable();
    t.integer('user_id').unsigned().nullable();
    // Where the link points (the configured public address, else the request's).
    t.string('link_base', 255).notNullable();
    t.string('token_hash', 64).nullable().unique();
    t.timestamp('expires_at', { useTz: false }).nullable();
    t.timestamp('used_at', { useTz: false }).nullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.index(['email', 'created_at'], 'core_password_resets_email_idx');
    t.index(['ip', 'created_at'], 'core_password_resets_ip_idx');
    t.index(['user_id', 'used_at'], 'core_password_resets_user_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('core_password_resets');
}
