import type { Knex } from 'knex';
import { createBusinessTable, isMysql } from 'tessera/core';

const KIND = 'crm.customers';
const COLUMNS = ['id', 'company_id', 'filename', 'sha256', 'match_by', 'status', 'size_bytes', 'job_id', 'rows_total', 'created_count', 'updated_count', 'unchanged_count', 'error_count', 'errors', 'failure', 'finished_at', 'created_at', 'updated_at', 'created_by', 'updated_by'];

/**
 * Customer imports move into the core import frame's tables (core_imports, core_import_chunks, core
 * migration 005): each stored file keeps its id, report and chunks, marked as crm's customer import.
 * crm keeps only its import lock (crm_import_locks). Down moves them back.
 */
export async function up(knex: Knex): Promise<void> {
  await copy(knex, 'crm_imports', 'core_imports', 'crm_import_chunks', 'core_import_chunks', (row) => ({ ...row, kind: KIND }));
  // The audit trail names the table a record lives in.
  if (await knex.schema.hasTable('core_audit_log')) await knex('core_audit_log').where('record_table', 'crm_imports').update({ record_table: 'core_imports' });
  await knex.schema.dropTable('crm_import_chunks');
  await knex.schema.dropTable('crm_imports');
}

export async function down(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'crm_imports', (t) => {
    t.string('filename', 191).notNullable().defaultTo('');
    t.string('sha256', 64).notNullable();
    t.string('match_by', 16).notNullable().defaultTo('auto');
    t.string('status', 16).notNullable();
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
    t.bigInteger('size_bytes').unsigned().notNullable().defaultTo(0);
  });
  await knex.schema.createTable('crm_import_chunks', (t) => {
    t.integer('company_id').unsigned().notNullable();
    t.integer('import_id').unsigned().notNullable();
    t.integer('seq').unsigned().notNullable();
    t.specificType('data', isMysql(knex) ? 'mediumblob' : 'blob').notNullable();
    t.primary(['import_id', 'seq']);
  });
  await copy(knex, 'core_imports', 'crm_imports', 'core_import_chunks', 'crm_import_chunks', (row) => row, KIND);
  if (await knex.schema.hasTable('core_audit_log')) await knex('core_audit_log').where('record_table', 'core_imports').update({ record_table: 'crm_imports' });
  const ids = (await knex('core_imports').where('kind', KIND).pluck('id')) as number[];
  for (let i = 0; i < ids.length; i += 500) {
    await knex('core_import_rejects').whereIn('import_id', ids.slice(i, i + 500)).delete();
    await knex('core_import_chunks').whereIn('import_id', ids.slice(i, i + 500)).delete();
    await knex('core_imports').whereIn('id', ids.slice(i, i + 500)).delete();
  }
}

/** Copies import rows (ids kept) and their chunks one import at a time, so a large file never sits whole in memory. */
async function copy(knex: Knex, from: string, to: string, fromChunks: string, toChunks: string, shape: (row: Record<string, unknown>) => Record<string, unknown>, kind?: string): Promise<void> {
  const query = () => (kind ? knex(from).where('kind', kind) : knex(from));
  for (const id of (await query().orderBy('id').pluck('id')) as number[]) {
    const row = (await knex(from).where({ id }).first(COLUMNS)) as Record<string, unknown>;
    await knex(to).insert(shape(row));
    for (let seq = 0; ; seq++) {
      const chunk = await knex(fromChunks).where({ import_id: id, seq }).first('company_id', 'import_id', 'seq', 'data');
      if (!chunk) break;
      await knex(toChunks).insert(chunk);
    }
  }
}
