import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * RFM analysis runs of the cards and their scored customers. A run keeps its results so a segment
 * listed or saved as a customer group is the one the chart showed, whatever transactions came since.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'loyalty_rfm_runs', (t) => {
    t.integer('window_days').notNullable();
    // The moment the window ends: recency is counted from it.
    t.timestamp('as_of', { useTz: false }).notNullable();
    t.string('status', 16).notNullable().defaultTo('queued');
    t.integer('customers').notNullable().defaultTo(0);
    // Customers per segment, as JSON, for the chart without reading the results.
    t.text('segments').nullable();
    t.string('job_id', 64).nullable();
  });

  await knex.schema.createTable('loyalty_rfm_results', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('run_id').unsigned().notNullable().references('id').inTable('loyalty_rfm_runs').onDelete('CASCADE');
    t.integer('customer_id').unsigned().notNullable();
    t.integer('recency_days').notNullable();
    t.integer('frequency').notNullable();
    t.bigInteger('monetary').notNullable();
    t.tinyint('r').notNullable();
    t.tinyint('f').notNullable();
    t.tinyint('m').notNullable();
    t.string('segment', 16).notNullable();
    // A run rewritten after a retry replaces its rows: one row per customer and run.
    t.unique(['run_id', 'customer_id'], { indexName: 'loyalty_rfm_results_unique' });
    t.index(['run_id', 'segment', 'customer_id'], 'loyalty_rfm_results_segment_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('loyalty_rfm_results');
  await knex.schema.dropTableIfExists('loyalty_rfm_runs');
}
