import type { Knex } from 'knex';
import { createBusinessTable, isMysql } from '../schema-helpers';

/**
 * The import frame's storage, shared by every module's CSV import: one row per uploaded file (`kind`
 * names the module's import declaration), its bytes as numbered chunks (an upload streams in and an
 * import streams out one chunk at a time, whatever the file's size), and the lines its last run
 * rejected, so they can be downloaded to fix and send again.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'core_imports', (t) => {
    t.string('kind', 64).notNullable();
    t.string('filename', 191).notNullable().defaultTo('');
    t.string('sha256', 64).notNullable();
    t.string('match_by', 32).notNullable().defaultTo('');
    t.string('status', 16).notNullable();
    t.bigInteger('size_bytes').unsigned().notNullable().defaultTo(0);
    t.string('job_id', 64).nullable();
    t.integer('rows_total').unsigned().notNullable().defaultTo(0);
    t.integer('created_count').unsigned().notNullable().defaultTo(0);
    t.integer('updated_count').unsigned().notNullable().defaultTo(0);
    t.integer('unchanged_count').unsigned().notNullable().defaultTo(0);
    t.integer('error_count').unsigned().notNullable().defaultTo(0);
    t.text('errors', 'mediumtext').nullable();
    t.text('failure', 'text').nullable();
    // The file's header line, and the columns the user chose for the headers the frame did not know.
    t.text('file_headers', 'text').nullable();
    t.text('mapping', 'text').nullable();
    t.timestamp('finished_at', { useTz: false }).nullable();
    t.index(['company_id', 'kind', 'id'], 'core_imports_kind_idx');
    t.index(['company_id', 'sha256'], 'core_imports_sha_idx');
  });
  await knex.schema.createTable('core_import_chunks', (t) => {
    t.integer('company_id').unsigned().notNullable();
    t.integer('import_id').unsigned().notNullable();
    t.integer('seq').unsigned().notNullable();
    // MySQL's plain BLOB stops at 64 KB.
    t.specificType('data', isMysql(knex) ? 'mediumblob' : 'blob').notNullable();
    t.primary(['import_id', 'seq']);
  });
  await knex.schema.createTable('core_import_rejects', (t) => {
    t.integer('company_id').unsigned().notNullable();
    t.integer('import_id').unsigned().notNullable();
    t.integer('line').unsigned().notNullable();
    t.text('reason', 'text').notNullable();
    t.primary(['import_id', 'line']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('core_import_rejects');
  await knex.schema.dropTableIfExists('core_import_chunks');
  await knex.schema.dropTableIfExists('core_imports');
}
