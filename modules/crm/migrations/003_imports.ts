import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * One row per uploaded CSV: the file is kept in the database (not on a web node's disk) so any worker
 * can run the import job, and the report stays for the user to read.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'crm_imports', (t) => {
    t.string('filename', 191).notNullable().defaultTo('');
    t.string('sha256', 64).notNullable();
    t.string('match_by', 16).notNullable().defaultTo('auto');
    t.string('status', 16).notNullable(); // queued | running | done | failed
    t.text('content', 'longtext').notNullable();
    t.string('job_id', 64).nullable();
    t.integer('rows_total').unsigned().notNullable().defaultTo(0);
    t.integer('created_count').unsigned().notNullable().defaultTo(0);
    t.integer('updated_count').unsigned().notNullable().defaultTo(0);
    t.integer('unchanged_count').unsigned().notNullable().defaultTo(0);
    t.integer('error_count').unsigned().notNullable().defaultTo(0);
    t.text('errors', 'mediumtext').nullable();
    t.text('failure', 'text').nullable();
    t.timestamp('finished_at', { useTz: false }).nullable();
    t.index(['company_id', 'sha256'], 'crm_imports_sha_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('crm_imports');
}
