import type { Knex } from 'knex';
import { isMysql } from 'tessera/core';

/** Bytes per stored chunk of an uploaded file: big enough to be few, small enough to hold one at a time. */
export const IMPORT_CHUNK_BYTES = 1024 * 1024;

/**
 * An uploaded file is kept as numbered chunks instead of one text value, so an upload streams into
 * the database and an import streams out of it, holding one chunk at a time, whatever the file's size.
 * The files already stored move into chunks.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('crm_import_chunks', (t) => {
    t.integer('company_id').unsigned().notNullable();
    t.integer('import_id').unsigned().notNullable();
    t.integer('seq').unsigned().notNullable();
    // MySQL's plain BLOB stops at 64 KB.
    t.specificType('data', isMysql(knex) ? 'mediumblob' : 'blob').notNullable();
    t.primary(['import_id', 'seq']);
  });
  await knex.schema.alterTable('crm_imports', (t) => {
    t.bigInteger('size_bytes').unsigned().notNullable().defaultTo(0);
  });
  for (const id of (await knex('crm_imports').orderBy('id').pluck('id')) as number[]) {
    const row = await knex('crm_imports').where({ id }).first('company_id', 'content');
    const bytes = Buffer.from(String(row.content ?? ''), 'utf8');
    for (let seq = 0; seq * IMPORT_CHUNK_BYTES < bytes.length; seq++) {
      await knex('crm_import_chunks').insert({ company_id: row.company_id, import_id: id, seq, data: bytes.subarray(seq * IMPORT_CHUNK_BYTES, (seq + 1) * IMPORT_CHUNK_BYTES) });
    }
    await knex('crm_imports').where({ id }).update({ size_bytes: bytes.length });
  }
  await knex.schema.alterTable('crm_imports', (t) => {
    t.dropColumn('content');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('crm_imports', (t) => {
    t.text('content', 'longtext').nullable();
  });
  for (const id of (await knex('crm_imports').orderBy('id').pluck('id')) as number[]) {
    const chunks = (await knex('crm_import_chunks').where({ import_id: id }).orderBy('seq').pluck('data')) as Buffer[];
    await knex('crm_imports').where({ id }).update({ content: Buffer.concat(chunks).toString('utf8') });
  }
  await knex.schema.alterTable('crm_imports', (t) => {
    t.dropColumn('size_bytes');
  });
  await knex.schema.dropTableIfExists('crm_import_chunks');
}
