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

  // Referrals: a program per template, a link per referrer's card, one referral per new customer.
  await createBusinessTable(knex, 'loyalty_referral_programs', (t) => {
    t.integer('template_id').unsigned().notNullable().references('id').inTable('loyalty_card_templates');
    t.string('reward_to', 16).notNullable().defaultTo('both');
    t.string('trigger', 16).notNullable().defaultTo('installed');
    t.integer('referrer_reward').notNullable().defaultTo(0);
    t.integer('referee_reward').notNullable().defaultTo(0);
    t.boolean('active').notNullable().defaultTo(true);
    t.unique(['company_id', 'template_id'], { indexName: 'loyalty_referral_program_unique' });
  });
  await knex.schema.createTable('loyalty_referral_links', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('card_id').unsigned().notNullable().references('id').inTable('loyalty_cards').onDelete('CASCADE');
    t.string('token', 64).notNullable();
    t.timestamp('created_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    t.unique(['card_id'], { indexName: 'loyalty_referral_link_card_unique' });
    t.unique(['token'], { indexName: 'loyalty_referral_link_token_unique' });
  });
  await knex.schema.createTable('loyalty_referrals', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('referrer_card_id').unsigned().notNullable();
    t.integer('referee_customer_id').unsigned().notNullable();
    t.integer('referee_card_id').unsigned().notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.timestamp('created_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('rewarded_at', { useTz: false }).nullable();
    // A customer is referred once; a referee's card belongs to one referral.
    t.unique(['company_id', 'referee_customer_id'], { indexName: 'loyalty_referral_customer_unique' });
    t.unique(['referee_card_id'], { indexName: 'loyalty_referral_card_unique' });
    t.index(['company_id', 'referrer_card_id'], 'loyalty_referral_referrer_idx');
  });

  // Automations per template: birthday congratulations and next-visit reminders through messaging.
  await createBusinessTable(knex, 'loyalty_card_automations', (t) => {
    t.integer('template_id').unsigned().notNullable().references('id').inTable('loyalty_card_templates');
    t.boolean('birthday').notNullable().defaultTo(false);
    t.integer('next_visit_days').nullable();
    t.integer('feedback_days').nullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.unique(['company_id', 'template_id'], { indexName: 'loyalty_card_automation_unique' });
  });
  // Feedback asked after a visit: one request per card and visit day, answered once (rating 1-5, comment).
  await knex.schema.createTable('loyalty_card_feedback', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('card_id').unsigned().notNullable().references('id').inTable('loyalty_cards').onDelete('CASCADE');
    t.integer('customer_id').unsigned().notNullable();
    t.string('visit_day', 10).notNullable();
    t.string('token', 64).notNullable();
    t.integer('rating').nullable();
    t.string('comment', 1000).nullable();
    t.timestamp('created_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('answered_at', { useTz: false }).nullable();
    t.unique(['card_id', 'visit_day'], { indexName: 'loyalty_card_feedback_visit_unique' });
    t.unique(['token'], { indexName: 'loyalty_card_feedback_token_unique' });
    t.index(['company_id', 'customer_id'], 'loyalty_card_feedback_customer_idx');
  });
  // Campaigns: one message to every card holder, a crm group's card holders, or one customer.
  await createBusinessTable(knex, 'loyalty_card_campaigns', (t) => {
    t.string('audience', 16).notNullable();
    t.integer('group_id').unsigned().nullable();
    t.integer('customer_id').unsigned().nullable();
    t.integer('template_id').unsigned().nullable();
    t.text('message').notNullable();
    t.string('status', 16).notNullable().defaultTo('queued');
    t.integer('sent').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('loyalty_cards', (t) => {
    t.index(['company_id', 'template_id', 'last_visit_day'], 'loyalty_cards_last_visit_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('loyalty_cards', (t) => t.dropIndex(['company_id', 'template_id', 'last_visit_day'], 'loyalty_cards_last_visit_idx'));
  await knex.schema.dropTableIfExists('loyalty_card_automations');
  await knex.schema.dropTableIfExists('loyalty_card_campaigns');
  await knex.schema.dropTableIfExists('loyalty_card_feedback');
  await knex.schema.dropTableIfExists('loyalty_referrals');
  await knex.schema.dropTableIfExists('loyalty_referral_links');
  await knex.schema.dropTableIfExists('loyalty_referral_programs');
  await knex.schema.dropTableIfExists('loyalty_card_webhook_deliveries');
  await knex.schema.dropTableIfExists('loyalty_card_webhooks');
}
