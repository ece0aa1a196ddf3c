import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Cards reaching out: integrators' webhooks on card events and their delivery log. A delivery is one
 * row per (endpoint, event): the outbox may hand an event over twice, the integrator hears it once.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'loyalty_card_webhooks', (t) => {
    t.string('url', 500).notNullable();
    // Kept as typed: the HMAC of each delivery needs it back.
    t.string('secret', 200).notNullable();
    t.text('events').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.index(['company_id', 'active'], 'loyalty_webhooks_active_idx');
  });

  await knex.schema.createTable('loyalty_card_webhook_deliveries', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('webhook_id').unsigned().notNullable().references('id').inTable('loyalty_card_webhooks').onDelete('CASCADE');
    t.bigInteger('event_id').notNullable();
    t.string('event', 64).notNullable();
    // The exact bytes signed and sent, so every retry sends the same body.
    t.text('body').notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('last_status').nullable();
    t.string('last_error', 500).nullable();
    t.timestamp('last_attempt_at', { useTz: false }).nullable();
    t.timestamp('delivered_at', { useTz: false }).nullable();
    t.timestamp('created_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    t.unique(['webhook_id', 'event_id'], { indexName: 'loyalty_webhook_event_unique' });
    t.index(['company_id', 'created_at'], 'loyalty_webhook_deliveries_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('loyalty_card_webhook_deliveries');
  await knex.schema.dropTableIfExists('loyalty_card_webhooks');
}
