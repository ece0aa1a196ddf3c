import type { Knex } from 'knex';

/**
 * Responses of POST routes that honour the `Idempotency-Key` header, kept per company, user, key and
 * route: the same request sent again (a client retrying after a lost answer) gets the stored response.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_idempotency_keys', (t) => {
    t.bigIncrements('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('user_id').unsigned().notNullable();
    t.string('idem_key', 200).notNullable();
    t.string('route', 255).notNullable();
    t.string('request_hash', 64).notNullable();
    t.integer('status').nullable();
    t.text('response', 'mediumtext').nullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.unique(['company_id', 'user_id', 'idem_key', 'route']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('core_idempotency_keys');
}
