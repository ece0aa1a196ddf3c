import type { Knex } from 'knex';

/**
 * The instant a payment became paid (`paid_date` is its company calendar day). Schemes and loyalty
 * judge "paid on time" and extend expiries from it, so billing keeps it rather than the time the row
 * was written: an offline payment recorded later carries the time it was really paid. Payments paid
 * before this migration take their `updated_at` (when they were settled).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('billing_payments', (t) => {
    t.datetime('paid_at', { precision: 3 }).nullable();
  });
  await knex('billing_payments').whereNotNull('paid_date').update({ paid_at: knex.ref('updated_at') });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('billing_payments', (t) => {
    t.dropColumn('paid_at');
  });
}
