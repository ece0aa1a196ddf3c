import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Templates and channels per company, the notifications (one row per dedupe key and channel, written
 * in the sender's transaction), each delivery attempt, opt-outs per customer and channel, OTP codes.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'messaging_templates', (t) => {
    t.string('event', 100).notNullable();
    t.string('channel', 16).notNullable();
    t.string('subject', 191).nullable();
    t.text('body').notNullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.unique(['company_id', 'event', 'channel'], { indexName: 'messaging_templates_unique' });
  });

  await createBusinessTable(knex, 'messaging_channels', (t) => {
    t.string('channel', 16).notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    // SMTP host, or the gateway's URL.
    t.string('endpoint', 500).notNullable();
    t.integer('port').unsigned().nullable();
    t.string('username', 191).nullable();
    t.string('sender', 191).nullable();
    // SMTP password or gateway token: written, never shown back.
    t.string('secret', 500).nullable();
    t.unique(['company_id', 'channel'], { indexName: 'messaging_channels_unique' });
  });

  await createBusinessTable(knex, 'messaging_notifications', (t) => {
    t.string('event', 100).notNullable();
    t.string('channel', 16).notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.string('dedupe_key', 191).notNullable();
    t.string('status', 16).notNullable();
    t.string('reason', 191).nullable();
    t.string('recipient', 191).nullable();
    t.string('subject', 191).nullable();
    t.text('body').nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error').nullable();
    t.timestamp('claimed_at', { useTz: false }).nullable();
    t.timestamp('sent_at', { useTz: false }).nullable();
    t.unique(['company_id', 'dedupe_key'], { indexName: 'messaging_notifications_dedupe_unique' });
    t.index(['company_id', 'customer_id', 'id'], 'messaging_notifications_customer_idx');
    t.index(['company_id', 'status', 'id'], 'messaging_notifications_status_idx');
  });

  await knex.schema.createTable('messaging_delivery_attempts', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('notification_id').unsigned().notNullable().references('id').inTable('messaging_notifications').onDelete('CASCADE');
    t.string('outcome', 16).notNullable();
    // The gateway's or SMTP server's answer.
    t.text('detail').nullable();
    t.timestamp('at', { useTz: false }).notNullable();
    t.index(['notification_id', 'id'], 'messaging_attempts_notification_idx');
  });

  await knex.schema.createTable('messaging_opt_outs', (t) => {
    t.integer('company_id').unsigned().notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.string('channel', 16).notNullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.integer('created_by').unsigned().nullable();
    t.primary(['company_id', 'customer_id', 'channel']);
  });

  await knex.schema.createTable('messaging_otps', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.string('purpose', 100).notNullable();
    t.string('ref', 191).notNullable();
    t.string('code_hash', 128).notNullable();
    t.timestamp('expires_at', { useTz: false }).notNullable();
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('max_attempts').notNullable();
    t.timestamp('used_at', { useTz: false }).nullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.index(['company_id', 'customer_id', 'purpose', 'ref', 'id'], 'messaging_otps_lookup_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['messaging_otps', 'messaging_opt_outs', 'messaging_delivery_attempts', 'messaging_notifications', 'messaging_channels', 'messaging_templates']) {
    await knex.schema.dropTableIfExists(table);
  }
}
