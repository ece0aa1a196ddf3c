import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Pay plans, their schedule and their ledger of events (payments applied, bonuses, reversals), and the
 * bonus bundles. Idempotency lives in unique keys: one application and one bonus per billing payment,
 * one invoice per schedule row.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'schemes_pay_plans', (t) => {
    t.integer('customer_id').unsigned().notNullable();
    // The customer's shop, kept in step with crm's events: the plans list filters by it.
    t.integer('shop_id').unsigned().nullable();
    t.string('product_code', 64).notNullable();
    t.string('device_serial', 64).nullable();
    t.string('device_mode', 16).notNullable().defaultTo('connected');
    t.bigInteger('total').notNullable();
    t.bigInteger('deposit').notNullable().defaultTo(0);
    t.bigInteger('instalment_amount').notNullable();
    t.integer('instalment_days').notNullable();
    t.string('start_date', 10).notNullable();
    t.string('status', 16).notNullable().defaultTo('active');
    t.timestamp('expiry', { useTz: false }).notNullable();
    t.bigInteger('paid').notNullable().defaultTo(0);
    t.bigInteger('discount').notNullable().defaultTo(0);
    // total - paid - discount, kept with every change so lists need no arithmetic.
    t.bigInteger('owed').notNullable();
    t.bigInteger('carried_credit').notNullable().defaultTo(0);
    // Money that bought less than a whole day, in minor units × instalment_days (exact).
    t.bigInteger('carried_scaled').notNullable().defaultTo(0);
    t.integer('days_bought').notNullable().defaultTo(0);
    t.integer('bonus_days').notNullable().defaultTo(0);
    t.index(['company_id', 'status', 'expiry'], 'schemes_plans_expiry_idx');
    t.index(['company_id', 'customer_id', 'status'], 'schemes_plans_customer_idx');
    t.index(['company_id', 'shop_id', 'status'], 'schemes_plans_shop_idx');
  });

  await knex.schema.createTable('schemes_plan_instalments', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('schemes_pay_plans').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.bigInteger('amount').notNullable();
    t.string('due_date', 10).notNullable();
    t.integer('invoice_id').unsigned().nullable();
    t.unique(['plan_id', 'seq'], { indexName: 'schemes_instalments_seq_unique' });
    // The daily job looks for rows due without an invoice.
    t.index(['company_id', 'invoice_id', 'due_date'], 'schemes_instalments_due_idx');
  });

  await createBusinessTable(knex, 'schemes_plan_events', (t) => {
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('schemes_pay_plans').onDelete('CASCADE');
    t.integer('customer_id').unsigned().notNullable();
    // payment | bonus | payment_reversed | bonus_reversed | completed
    t.string('kind', 24).notNullable();
    t.integer('payment_id').unsigned().nullable();
    t.integer('bundle_id').unsigned().nullable();
    t.integer('credit_note_id').unsigned().nullable();
    t.bigInteger('amount').notNullable().defaultTo(0);
    t.integer('days').notNullable().defaultTo(0);
    t.bigInteger('carried_added').notNullable().defaultTo(0);
    t.timestamp('expiry_before', { useTz: false }).nullable();
    t.timestamp('expiry_after', { useTz: false }).nullable();
    t.string('detail', 255).notNullable().defaultTo('');
    // One application, one bonus, one reversal of each per payment, whatever the retries.
    t.unique(['company_id', 'payment_id', 'kind'], { indexName: 'schemes_events_payment_unique' });
    t.index(['plan_id', 'id'], 'schemes_events_plan_idx');
  });

  await createBusinessTable(knex, 'schemes_bundles', (t) => {
    t.string('name', 120).notNullable();
    t.integer('journal_id').unsigned().notNullable();
    t.integer('trigger_days').notNullable();
    t.integer('reward_days').notNullable();
    t.string('type', 16).notNullable();
    t.text('payment_journal_ids').notNullable();
    t.text('group_ids').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.string('valid_from', 10).nullable();
    t.string('valid_to', 10).nullable();
    t.unique(['company_id', 'name'], { indexName: 'schemes_bundles_name_unique' });
    t.index(['company_id', 'active'], 'schemes_bundles_active_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('schemes_bundles');
  await knex.schema.dropTableIfExists('schemes_plan_events');
  await knex.schema.dropTableIfExists('schemes_plan_instalments');
  await knex.schema.dropTableIfExists('schemes_pay_plans');
}
