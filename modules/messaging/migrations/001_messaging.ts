import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Representatives, messages and appointments (numbered from one per-company counter, core sequences),
 * and the per-day counts the FULL rule is settled on: one row per (company, day, representative), the
 * company's total under representative 0, raised by guarded updates in the booking's transaction.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'messaging_representatives', (t) => {
    t.string('code', 32).notNullable();
    t.string('name', 191).notNullable();
    // The user's seller number: the user who sees this representative's reminders.
    t.integer('user_id').unsigned().nullable();
    t.integer('shop_id').unsigned().nullable();
    t.string('phone', 40).nullable();
    t.string('email', 191).nullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.unique(['company_id', 'code'], { indexName: 'messaging_reps_code_unique' });
    t.index(['company_id', 'name'], 'messaging_reps_name_idx');
    t.index(['user_id'], 'messaging_reps_user_idx');
  });

  await createBusinessTable(knex, 'messaging_messages', (t) => {
    t.integer('number').unsigned().notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.integer('representative_id').unsigned().notNullable().references('id').inTable('messaging_representatives');
    t.string('subject', 191).notNullable();
    t.text('body').nullable();
    t.date('follow_up_on').nullable();
    t.string('status', 16).notNullable().defaultTo('open');
    t.unique(['company_id', 'number'], { indexName: 'messaging_messages_number_unique' });
    t.index(['company_id', 'customer_id', 'id'], 'messaging_messages_customer_idx');
    t.index(['company_id', 'representative_id', 'status'], 'messaging_messages_rep_idx');
    t.index(['company_id', 'subject'], 'messaging_messages_subject_idx');
    t.index(['company_id', 'created_at'], 'messaging_messages_created_idx');
  });

  await createBusinessTable(knex, 'messaging_appointments', (t) => {
    t.integer('number').unsigned().notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.integer('representative_id').unsigned().notNullable().references('id').inTable('messaging_representatives');
    t.integer('shop_id').unsigned().nullable();
    t.string('place', 191).nullable();
    t.timestamp('starts_at', { useTz: false }).notNullable();
    t.timestamp('ends_at', { useTz: false }).notNullable();
    // The calendar day of starts_at in the company's time zone, fixed at booking.
    t.date('day').notNullable();
    t.string('status', 16).notNullable().defaultTo('booked');
    t.boolean('overbooked').notNullable().defaultTo(false);
    t.text('notes').nullable();
    t.unique(['company_id', 'number'], { indexName: 'messaging_appts_number_unique' });
    t.index(['company_id', 'day', 'starts_at'], 'messaging_appts_day_idx');
    t.index(['company_id', 'representative_id', 'day'], 'messaging_appts_rep_day_idx');
    t.index(['company_id', 'shop_id', 'day'], 'messaging_appts_shop_day_idx');
    t.index(['company_id', 'customer_id', 'starts_at'], 'messaging_appts_customer_idx');
    t.index(['company_id', 'starts_at'], 'messaging_appts_starts_idx');
  });

  await knex.schema.createTable('messaging_day_counts', (t) => {
    t.integer('company_id').unsigned().notNullable().references('id').inTable('core_companies');
    t.string('day', 10).notNullable();
    // 0: the company's total for the day.
    t.integer('representative_id').unsigned().notNullable();
    t.integer('count').notNullable().defaultTo(0);
    t.primary(['company_id', 'day', 'representative_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('messaging_day_counts');
  await knex.schema.dropTableIfExists('messaging_appointments');
  await knex.schema.dropTableIfExists('messaging_messages');
  await knex.schema.dropTableIfExists('messaging_representatives');
}
