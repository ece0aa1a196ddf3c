import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Code-based devices (OpenPAYGO Token): each plan keeps its device's sealed secret, starting code and
 * the count of the last token issued (advanced only by a guarded update); each token issued is a row,
 * one per payment, kind and part whatever the retries. Secrets are sealed with core's secret box, whose
 * key is never in the database.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('schemes_pay_plans', (t) => {
    t.string('device_secret', 255).nullable();
    t.integer('device_starting_code').unsigned().nullable();
    t.integer('device_count').notNullable().defaultTo(0);
  });

  await createBusinessTable(knex, 'schemes_device_tokens', (t) => {
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('schemes_pay_plans').onDelete('CASCADE');
    t.integer('customer_id').unsigned().notNullable();
    t.integer('payment_id').unsigned().nullable();
    // payment | bonus
    t.string('kind', 16).notNullable();
    // Days beyond one token's 995 are split into parts.
    t.integer('part').notNullable().defaultTo(0);
    t.integer('count').notNullable();
    t.string('token', 16).notNullable();
    t.integer('days').notNullable();
    t.unique(['company_id', 'payment_id', 'kind', 'part'], { indexName: 'schemes_tokens_payment_unique' });
    t.index(['plan_id', 'id'], 'schemes_tokens_plan_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('schemes_device_tokens');
  await knex.schema.alterTable('schemes_pay_plans', (t) => {
    t.dropColumn('device_secret');
    t.dropColumn('device_starting_code');
    t.dropColumn('device_count');
  });
}
