import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Card templates, the cards issued from them, and every transaction made on a card. Idempotency lives
 * in unique keys: one card per issue key, one transaction per (card, key) — a double tap at the
 * scanner is one transaction.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'loyalty_card_templates', (t) => {
    t.string('name', 120).notNullable();
    t.string('type', 16).notNullable();
    // The type's rules and the card's look, as JSON validated by the template's declaration.
    t.text('rules').notNullable();
    t.text('design').nullable();
    t.string('validity_kind', 16).notNullable().defaultTo('unlimited');
    t.string('validity_date', 10).nullable();
    t.integer('validity_days').nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.index(['company_id', 'type', 'active'], 'loyalty_templates_type_idx');
  });

  await createBusinessTable(knex, 'loyalty_cards', (t) => {
    t.integer('template_id').unsigned().notNullable().references('id').inTable('loyalty_card_templates');
    t.string('type', 16).notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.integer('shop_id').unsigned().nullable();
    t.string('number', 16).notNullable();
    // The web card's unguessable link; never shown in lists or the API.
    t.string('secret', 64).notNullable();
    t.string('issue_key', 80).nullable();
    t.string('status', 16).notNullable().defaultTo('active');
    t.string('valid_until', 10).nullable();
    t.integer('stamps').notNullable().defaultTo(0);
    t.integer('uses_left').notNullable().defaultTo(0);
    t.bigInteger('balance').notNullable().defaultTo(0);
    t.integer('points').notNullable().defaultTo(0);
    t.bigInteger('spend_total').notNullable().defaultTo(0);
    t.integer('visits').notNullable().defaultTo(0);
    t.string('last_visit_day', 10).nullable();
    t.string('last_stamp_day', 10).nullable();
    t.string('membership_ends', 10).nullable();
    t.timestamp('installed_at', { useTz: false }).nullable();
    t.unique(['company_id', 'number'], { indexName: 'loyalty_cards_number_unique' });
    t.unique(['secret'], { indexName: 'loyalty_cards_secret_unique' });
    t.unique(['company_id', 'issue_key'], { indexName: 'loyalty_cards_issue_unique' });
    t.index(['company_id', 'customer_id'], 'loyalty_cards_customer_idx');
    t.index(['company_id', 'template_id', 'status'], 'loyalty_cards_template_idx');
  });

  await knex.schema.createTable('loyalty_card_transactions', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('card_id').unsigned().notNullable().references('id').inTable('loyalty_cards').onDelete('CASCADE');
    t.string('key', 80).notNullable();
    t.string('action', 24).notNullable();
    // What the transaction moved (stamps, uses, points: a count; cashback, certificate: minor units).
    t.bigInteger('quantity').notNullable().defaultTo(0);
    t.bigInteger('amount').notNullable().defaultTo(0);
    t.text('outcome').notNullable();
    t.integer('user_id').unsigned().nullable();
    t.integer('shop_id').unsigned().nullable();
    t.timestamp('created_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    t.unique(['card_id', 'key'], { indexName: 'loyalty_card_tx_key_unique' });
    t.index(['company_id', 'created_at'], 'loyalty_card_tx_day_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('loyalty_card_transactions');
  await knex.schema.dropTableIfExists('loyalty_cards');
  await knex.schema.dropTableIfExists('loyalty_card_templates');
}
