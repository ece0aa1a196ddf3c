import type { Knex } from 'knex';

/** Services every module writes through: audit log, sequences, event outbox, local jobs, settings. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('core_audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.integer('company_id').unsigned().nullable();
    t.integer('actor_id').unsigned().nullable();
    t.string('action', 40).notNullable();
    t.string('record_table', 64).notNullable();
    t.integer('record_id').unsigned().notNullable();
    t.text('changes').notNullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.index(['record_table', 'record_id', 'id']);
    t.index(['company_id', 'id']);
  });
  await knex.schema.createTable('core_sequences', (t) => {
    t.integer('company_id').unsigned().notNullable();
    t.string('key', 100).notNullable();
    t.integer('next_value').unsigned().notNullable();
    t.primary(['company_id', 'key']);
  });
  await knex.schema.createTable('core_outbox', (t) => {
    t.bigIncrements('id').primary();
    t.string('event', 120).notNullable();
    t.integer('company_id').unsigned().notNullable();
    t.integer('actor_id').unsigned().nullable();
    t.text('payload').notNullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.timestamp('dispatched_at', { useTz: false }).nullable();
    t.index(['dispatched_at', 'id']);
  });
  await knex.schema.createTable('core_jobs', (t) => {
    t.bigIncrements('id').primary();
    t.string('queue', 40).notNullable();
    t.string('name', 120).notNullable();
    t.string('job_key', 191).notNullable().unique();
    t.text('data').notNullable();
    t.string('status', 16).notNullable(); // waiting | active | completed | failed
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable().defaultTo(3);
    t.integer('progress').notNullable().defaultTo(0);
    t.text('detail').nullable();
    t.text('result').nullable();
    t.text('error').nullable();
    t.timestamp('run_after', { useTz: false }).notNullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.timestamp('started_at', { useTz: false }).nullable();
    t.timestamp('finished_at', { useTz: false }).nullable();
    t.index(['status', 'run_after']);
    t.index(['queue', 'status']);
  });
  await knex.schema.createTable('core_settings', (t) => {
    t.integer('company_id').unsigned().notNullable();
    t.string('module', 40).notNullable();
    t.text('value').notNullable();
    t.timestamp('updated_at', { useTz: false }).notNullable();
    t.primary(['company_id', 'module']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['core_settings', 'core_jobs', 'core_outbox', 'core_sequences', 'core_audit_log']) {
    await knex.schema.dropTableIfExists(table);
  }
}
