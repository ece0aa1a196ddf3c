import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/** Shops (points of sale) of a company; other modules refer to them by id through base's ShopService. */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'base_shops', (t) => {
    t.string('code', 32).notNullable();
    t.string('name', 191).notNullable();
    t.string('address', 500).nullable();
    t.string('phone', 40).nullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    // Codes are how people and CSV imports name a shop, so they must not repeat within a company.
    t.unique(['company_id', 'code']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('base_shops');
}
