import type { Knex } from 'knex';

/**
 * Campaigns and automations from the back office: a campaign may wait for a moment (`send_at`) and
 * counts what it reached (notifications asked, skipped by messaging, delivered); an automation carries
 * its own message text per kind (empty: messaging's template for the notification).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('loyalty_card_campaigns', (t) => {
    t.timestamp('send_at', { useTz: false }).nullable();
    t.integer('skipped').notNullable().defaultTo(0);
    t.timestamp('sent_at', { useTz: false }).nullable();
  });
  // One row per delivered notification of a campaign: messaging may report a delivery twice.
  await knex.schema.createTable('loyalty_card_campaign_deliveries', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('campaign_id').unsigned().notNullable().references('id').inTable('loyalty_card_campaigns').onDelete('CASCADE');
    t.bigInteger('notification_id').notNullable();
    t.timestamp('created_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    t.unique(['notification_id'], { indexName: 'loyalty_campaign_delivery_unique' });
    t.index(['company_id', 'campaign_id'], 'loyalty_campaign_delivery_idx');
  });
  await knex.schema.alterTable('loyalty_card_automations', (t) => {
    t.string('birthday_message', 1000).nullable();
    t.string('next_visit_message', 1000).nullable();
    t.string('feedback_message', 1000).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('loyalty_card_automations', (t) => {
    t.dropColumn('birthday_message');
    t.dropColumn('next_visit_message');
    t.dropColumn('feedback_message');
  });
  await knex.schema.dropTableIfExists('loyalty_card_campaign_deliveries');
  await knex.schema.alterTable('loyalty_card_campaigns', (t) => {
    t.dropColumn('send_at');
    t.dropColumn('skipped');
    t.dropColumn('sent_at');
  });
}
