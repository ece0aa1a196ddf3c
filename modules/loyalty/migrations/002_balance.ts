import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * The prepaid balance ("Payon"): one row per customer moved only by guarded updates, its ledger (the
 * balance is the ledger's sum; a unique key per source makes every credit and debit happen once), the
 * recharge and cashback offers, and the refunds of orders seen so far (cumulative, for exact take-backs).
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'loyalty_balances', (t) => {
    t.integer('customer_id').unsigned().notNullable();
    t.bigInteger('balance').notNullable().defaultTo(0);
    // How far below zero the balance may go (0: never negative); set with loyalty.balance.adjust.
    t.bigInteger('credit_limit').notNullable().defaultTo(0);
    t.unique(['company_id', 'customer_id'], { indexName: 'loyalty_balances_customer_unique' });
    t.index(['company_id', 'balance'], 'loyalty_balances_outstanding_idx');
  });

  await createBusinessTable(knex, 'loyalty_balance_ledger', (t) => {
    t.integer('customer_id').unsigned().notNullable();
    // recharge | bonus | payment | payment_reversed | cashback | cashback_reversed | refund | adjustment
    t.string('kind', 24).notNullable();
    t.bigInteger('amount').notNullable();
    // The balance right after this row, read in the same transaction as the guarded update.
    t.bigInteger('balance_after').notNullable();
    // What made the row, unique per company: `recharge:<payment>`, `cashback:<order>`, ... so a second delivery is a no-op.
    t.string('source_key', 120).notNullable();
    t.integer('payment_id').unsigned().nullable();
    t.integer('order_id').unsigned().nullable();
    t.integer('invoice_id').unsigned().nullable();
    t.integer('offer_id').unsigned().nullable();
    t.string('reason', 255).notNullable().defaultTo('');
    t.unique(['company_id', 'source_key'], { indexName: 'loyalty_ledger_source_unique' });
    t.index(['company_id', 'customer_id', 'id'], 'loyalty_ledger_customer_idx');
    t.index(['company_id', 'order_id'], 'loyalty_ledger_order_idx');
    t.index(['company_id', 'kind', 'created_at'], 'loyalty_ledger_kind_idx');
  });

  await createBusinessTable(knex, 'loyalty_offers', (t) => {
    t.string('name', 120).notNullable();
    t.string('kind', 16).notNullable();
    t.integer('rate_bps').notNullable();
    t.bigInteger('threshold').notNullable().defaultTo(0);
    t.text('payment_methods').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.string('valid_from', 10).nullable();
    t.string('valid_to', 10).nullable();
    t.unique(['company_id', 'name'], { indexName: 'loyalty_offers_name_unique' });
    t.index(['company_id', 'kind', 'active'], 'loyalty_offers_kind_idx');
  });

  await createBusinessTable(knex, 'loyalty_order_refunds', (t) => {
    t.integer('order_id').unsigned().notNullable();
    t.integer('seq').notNullable();
    t.bigInteger('amount').notNullable();
    t.unique(['company_id', 'order_id', 'seq'], { indexName: 'loyalty_order_refunds_seq_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('loyalty_order_refunds');
  await knex.schema.dropTableIfExists('loyalty_offers');
  await knex.schema.dropTableIfExists('loyalty_balance_ledger');
  await knex.schema.dropTableIfExists('loyalty_balances');
}
