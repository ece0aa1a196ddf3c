import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * No foreign key to crm's customers: a module never leans on another's tables. The notes of a deleted
 * customer go with it through crm's `crm.customer.deleted` event (see index.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'visit_notes', (t) => {
    t.integer('customer_id').unsigned().notNullable();
    t.date('visited_on').notNullable();
    t.string('text', 1000).notNullable();
    t.index(['company_id', 'customer_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('visit_notes');
}
