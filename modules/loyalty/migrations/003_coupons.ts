import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * Coupons (the rules), their codes (one shared code, or many single-use ones from batches), the
 * redemptions and the per-customer use counters. Concurrency lives in the keys: a code is unique per
 * company, a single-use code is redeemed at most once (`single_key`), a coupon at most once per
 * document, one counter row per coupon and customer moved by guarded updates.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'loyalty_coupons', (t) => {
    t.string('name', 120).notNullable();
    // shared: one code anyone eligible types; single: codes from batches, each redeemed once.
    t.string('mode', 16).notNullable().defaultTo('shared');
    t.string('code', 40).nullable();
    t.string('kind', 16).notNullable().defaultTo('fixed');
    t.bigInteger('amount').nullable();
    t.integer('percent').nullable();
    t.bigInteger('min_order').notNullable().defaultTo(0);
    t.string('valid_from', 10).nullable();
    t.string('valid_to', 10).nullable();
    t.integer('usage_limit').nullable();
    t.integer('per_customer_limit').nullable();
    t.text('group_ids').notNullable();
    t.string('discount_product_code', 32).notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    // Moved by guarded updates in the redeeming transaction: `uses < usage_limit`.
    t.integer('uses').notNullable().defaultTo(0);
    t.bigInteger('discount_given').notNullable().defaultTo(0);
    t.integer('codes_count').notNullable().defaultTo(0);
    t.index(['company_id', 'name'], 'loyalty_coupons_name_idx');
  });

  await createBusinessTable(knex, 'loyalty_coupon_codes', (t) => {
    t.integer('coupon_id').unsigned().notNullable().references('id').inTable('loyalty_coupons').onDelete('CASCADE');
    t.string('code', 40).notNullable();
    t.integer('batch_id').unsigned().nullable();
    t.timestamp('redeemed_at', { useTz: false }).nullable();
    t.integer('customer_id').unsigned().nullable();
    t.integer('document_id').unsigned().nullable();
    t.unique(['company_id', 'code'], { indexName: 'loyalty_coupon_codes_code_unique' });
    t.index(['coupon_id', 'id'], 'loyalty_coupon_codes_coupon_idx');
  });

  await createBusinessTable(knex, 'loyalty_coupon_batches', (t) => {
    t.integer('coupon_id').unsigned().notNullable().references('id').inTable('loyalty_coupons').onDelete('CASCADE');
    t.integer('requested').notNullable();
    // Raised with each committed chunk of codes: a retried job goes on from here.
    t.integer('generated').notNullable().defaultTo(0);
    t.string('status', 16).notNullable().defaultTo('running');
    t.string('job_id', 64).nullable();
  });

  await createBusinessTable(knex, 'loyalty_coupon_redemptions', (t) => {
    t.integer('coupon_id').unsigned().notNullable().references('id').inTable('loyalty_coupons');
    t.integer('code_id').unsigned().notNullable();
    t.string('code', 40).notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.integer('document_id').unsigned().notNullable();
    t.string('document_kind', 16).notNullable();
    t.bigInteger('amount').notNullable();
    // The code's id for a single-use code, null for a shared one: a single-use code is redeemed once.
    t.integer('single_key').unsigned().nullable();
    // The company's calendar day of the redemption, for the coupon-use report.
    t.string('day', 10).notNullable();
    t.unique(['company_id', 'coupon_id', 'document_id'], { indexName: 'loyalty_redemptions_document_unique' });
    t.unique(['company_id', 'single_key'], { indexName: 'loyalty_redemptions_single_unique' });
    t.index(['company_id', 'customer_id', 'id'], 'loyalty_redemptions_customer_idx');
    t.index(['company_id', 'day'], 'loyalty_redemptions_day_idx');
  });

  await knex.schema.createTable('loyalty_coupon_customer_uses', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('coupon_id').unsigned().notNullable().references('id').inTable('loyalty_coupons').onDelete('CASCADE');
    t.integer('customer_id').unsigned().notNullable();
    t.integer('uses').notNullable().defaultTo(0);
    t.unique(['company_id', 'coupon_id', 'customer_id'], { indexName: 'loyalty_coupon_customer_unique' });
  });

  // One row per document a coupon was tried on, locked first by each apply: coupons on one document queue.
  await knex.schema.createTable('loyalty_coupon_document_locks', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('document_id').unsigned().notNullable();
    t.unique(['company_id', 'document_id'], { indexName: 'loyalty_coupon_document_locks_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('loyalty_coupon_document_locks');
  await knex.schema.dropTableIfExists('loyalty_coupon_customer_uses');
  await knex.schema.dropTableIfExists('loyalty_coupon_redemptions');
  await knex.schema.dropTableIfExists('loyalty_coupon_batches');
  await knex.schema.dropTableIfExists('loyalty_coupon_codes');
  await knex.schema.dropTableIfExists('loyalty_coupons');
}
