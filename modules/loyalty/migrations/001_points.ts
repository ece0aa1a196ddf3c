import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Customer points: the company's settings, one account row per customer (its balance, kept equal to
 * the ledger's sum, is what the guarded update of a redemption checks) and the ledger itself. The
 * ledger's `source_key` is unique per company: one earning per paid document, one redemption per
 * draft, one expiry per customer and day, whatever the retries.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'loyalty_points_settings', (t) => {
    t.boolean('active').notNullable().defaultTo(false);
    t.boolean('card_mandatory').notNullable().defaultTo(false);
    // Points per currency unit in basis points: 20000 is 2 points per unit.
    t.integer('ratio_bp').notNullable().defaultTo(10000);
    t.string('mode', 16).notNullable().defaultTo('tranche');
    t.integer('tranche_points').notNullable().defaultTo(100);
    t.bigInteger('tranche_value').notNullable().defaultTo(500);
    t.bigInteger('point_value').notNullable().defaultTo(1);
    t.string('product_code', 64).notNullable().defaultTo('');
    // 0: points never expire.
    t.integer('expiry_months').notNullable().defaultTo(0);
    t.unique(['company_id'], { indexName: 'loyalty_points_settings_company_unique' });
  });

  await createBusinessTable(knex, 'loyalty_points_accounts', (t) => {
    t.integer('customer_id').unsigned().notNullable();
    t.bigInteger('balance').notNullable().defaultTo(0);
    t.string('card_number', 64).nullable();
    t.unique(['company_id', 'customer_id'], { indexName: 'loyalty_points_accounts_customer_unique' });
    t.unique(['company_id', 'card_number'], { indexName: 'loyalty_points_accounts_card_unique' });
    // The liability report sums the balances of one company.
    t.index(['company_id', 'balance'], 'loyalty_points_accounts_balance_idx');
  });

  await createBusinessTable(knex, 'loyalty_points_ledger', (t) => {
    t.integer('customer_id').unsigned().notNullable();
    // earned | spent | reversed | adjusted | expired
    t.string('kind', 16).notNullable();
    t.bigInteger('points').notNullable();
    // The money the line is about (the amount that earned, the value spent, the amount credited).
    t.bigInteger('amount').notNullable().defaultTo(0);
    t.string('document_kind', 16).nullable();
    t.integer('document_id').unsigned().nullable();
    t.string('source_key', 120).notNullable();
    t.string('reason', 255).notNullable().defaultTo('');
    t.unique(['company_id', 'source_key'], { indexName: 'loyalty_points_ledger_source_unique' });
    t.index(['company_id', 'customer_id', 'id'], 'loyalty_points_ledger_customer_idx');
    t.index(['company_id', 'document_kind', 'document_id'], 'loyalty_points_ledger_document_idx');
    // The liability report's movements per month read this index alone (covering), not the rows.
    t.index(['company_id', 'created_at', 'kind', 'points'], 'loyalty_points_ledger_month_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('loyalty_points_ledger');
  await knex.schema.dropTableIfExists('loyalty_points_accounts');
  await knex.schema.dropTableIfExists('loyalty_points_settings');
}
