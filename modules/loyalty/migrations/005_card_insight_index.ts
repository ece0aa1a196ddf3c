import type { Knex } from 'knex';

/**
 * The RFM aggregate reads each card's transactions of a window: with the card first and the columns it
 * sums in the index, it is read in card order from the index alone (no sort, no table lookups), and
 * only the per-card totals are joined to the cards for their customer.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('loyalty_card_transactions', (t) => {
    t.index(['company_id', 'card_id', 'created_at', 'action', 'amount'], 'loyalty_card_tx_rfm_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('loyalty_card_transactions', (t) => {
    t.dropIndex(['company_id', 'card_id', 'created_at', 'action', 'amount'], 'loyalty_card_tx_rfm_idx');
  });
}
