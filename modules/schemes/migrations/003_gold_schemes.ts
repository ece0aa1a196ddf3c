import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Gold saving schemes: templates, daily gold rates, plans, their instalments (each a billing payment),
 * missed months and the plan's history. The database settles repeats and races: a reference and an
 * idempotency key once per plan, one instalment per month of a fixed plan (`slot`), one missed flag
 * per plan and month, one rate per company and day.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'schemes_gold_schemes', (t) => {
    t.string('name', 120).notNullable();
    t.string('kind', 16).notNullable();
    t.integer('duration_months').notNullable();
    t.integer('window_start_day').notNullable().defaultTo(1);
    t.integer('window_end_day').notNullable().defaultTo(10);
    t.bigInteger('min_instalment').notNullable();
    t.text('tiers').notNullable();
    t.string('reward_kind', 16).notNullable().defaultTo('none');
    t.integer('reward_instalments').notNullable().defaultTo(0);
    t.integer('reward_rate').notNullable().defaultTo(0);
    t.integer('reward_every').notNullable().defaultTo(0);
    t.integer('reward_min_instalments').notNullable().defaultTo(0);
    t.boolean('weight').notNullable().defaultTo(false);
    t.boolean('early_close_keeps_bonus').notNullable().defaultTo(false);
    t.integer('redemption_days').notNullable().defaultTo(90);
    t.boolean('active').notNullable().defaultTo(true);
    t.unique(['company_id', 'name'], { indexName: 'schemes_gold_schemes_name_unique' });
  });

  await createBusinessTable(knex, 'schemes_gold_rates', (t) => {
    t.string('day', 10).notNullable();
    // Minor units per gram.
    t.bigInteger('rate').notNullable();
    t.unique(['company_id', 'day'], { indexName: 'schemes_gold_rates_day_unique' });
  });

  await createBusinessTable(knex, 'schemes_gold_plans', (t) => {
    t.integer('customer_id').unsigned().notNullable();
    t.integer('scheme_id').unsigned().notNullable().references('id').inTable('schemes_gold_schemes');
    t.string('kind', 16).notNullable();
    t.string('tier', 32).notNullable();
    // The instalment of the current tier; `segments` keeps each amount with the instalment it starts at.
    t.bigInteger('instalment').notNullable();
    t.integer('instalments').notNullable();
    t.string('start_month', 7).notNullable();
    t.string('status', 16).notNullable().defaultTo('active');
    t.text('segments').notNullable();
    t.text('pauses').notNullable();
    t.integer('missed_count').notNullable().defaultTo(0);
    t.integer('paid_count').notNullable().defaultTo(0);
    t.integer('on_time_count').notNullable().defaultTo(0);
    t.bigInteger('paid_total').notNullable().defaultTo(0);
    t.bigInteger('grams_milli').notNullable().defaultTo(0);
    t.string('maturity_month', 7).notNullable();
    t.string('maturity_date', 10).notNullable();
    t.bigInteger('bonus').notNullable().defaultTo(0);
    t.bigInteger('settled_value').nullable();
    t.integer('credit_note_id').unsigned().nullable();
    t.integer('closed_by').unsigned().nullable();
    t.timestamp('closed_at', { useTz: false }).nullable();
    t.timestamp('redeemed_at', { useTz: false }).nullable();
    t.index(['company_id', 'status', 'maturity_date'], 'schemes_gold_plans_status_idx');
    t.index(['company_id', 'customer_id'], 'schemes_gold_plans_customer_idx');
    t.index(['company_id', 'scheme_id', 'status'], 'schemes_gold_plans_scheme_idx');
  });

  await createBusinessTable(knex, 'schemes_gold_payments', (t) => {
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('schemes_gold_plans').onDelete('CASCADE');
    t.integer('customer_id').unsigned().notNullable();
    t.integer('payer_id').unsigned().notNullable();
    t.integer('payment_id').unsigned().nullable();
    t.integer('journal_id').unsigned().notNullable();
    t.string('reference', 100).notNullable();
    t.string('idempotency_key', 120).nullable();
    t.string('mode', 16).notNullable();
    t.bigInteger('amount').notNullable();
    // processing | paid | failed | reversed
    t.string('status', 16).notNullable();
    t.string('month', 7).notNullable();
    // The month a fixed plan's instalment holds (null for flexible plans and once failed): one per month.
    t.string('slot', 7).nullable();
    t.timestamp('paid_at', { useTz: false }).notNullable();
    t.boolean('on_time').notNullable().defaultTo(false);
    t.bigInteger('rate').nullable();
    t.bigInteger('grams_milli').notNullable().defaultTo(0);
    t.unique(['plan_id', 'reference'], { indexName: 'schemes_gold_payments_ref_unique' });
    t.unique(['plan_id', 'idempotency_key'], { indexName: 'schemes_gold_payments_key_unique' });
    t.unique(['plan_id', 'slot'], { indexName: 'schemes_gold_payments_slot_unique' });
    t.index(['plan_id', 'month', 'status'], 'schemes_gold_payments_plan_idx');
    t.index(['company_id', 'paid_at'], 'schemes_gold_payments_day_idx');
  });

  await knex.schema.createTable('schemes_gold_missed', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('schemes_gold_plans').onDelete('CASCADE');
    t.string('month', 7).notNullable();
    t.timestamp('created_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    // Flagged once, however often or late the job runs.
    t.unique(['plan_id', 'month'], { indexName: 'schemes_gold_missed_unique' });
    t.index(['company_id', 'month'], 'schemes_gold_missed_month_idx');
  });

  await createBusinessTable(knex, 'schemes_gold_events', (t) => {
    t.integer('plan_id').unsigned().notNullable().references('id').inTable('schemes_gold_plans').onDelete('CASCADE');
    // enrolled | paused | tier_changed | missed | closed | redeemed
    t.string('kind', 24).notNullable();
    t.bigInteger('amount').notNullable().defaultTo(0);
    t.string('detail', 255).notNullable().defaultTo('');
    t.index(['plan_id', 'id'], 'schemes_gold_events_plan_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['schemes_gold_events', 'schemes_gold_missed', 'schemes_gold_payments', 'schemes_gold_plans', 'schemes_gold_rates', 'schemes_gold_schemes']) {
    await knex.schema.dropTableIfExists(table);
  }
}
