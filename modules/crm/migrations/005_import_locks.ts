import type { Knex } from 'knex';

/**
 * One row per company that has imported: a batch of an import updates its company's row first, so
 * batches of two imports of one company run one after the other and each plans against what the
 * other has committed (see import/import-lock.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('crm_import_locks', (t) => {
    t.integer('company_id').unsigned().primary();
    t.timestamp('taken_at', { useTz: false }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('crm_import_locks');
}
