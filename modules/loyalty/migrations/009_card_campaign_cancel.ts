import type { Knex } from 'knex';

/** A scheduled campaign may be cancelled before it is sent (status `cancelled`): when and by whom. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('loyalty_card_campaigns', (t) => {
    t.timestamp('cancelled_at', { useTz: false }).nullable();
    t.integer('cancelled_by').unsigned().nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  // Cancelled campaigns keep their status (a plain string column): marking them to send again would be worse.
  await knex.schema.alterTable('loyalty_card_campaigns', (t) => {
    t.dropColumn('cancelled_at');
    t.dropColumn('cancelled_by');
  });
}
