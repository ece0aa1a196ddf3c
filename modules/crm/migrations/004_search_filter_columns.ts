import type { Knex } from 'knex';

/**
 * The prefix-search indexes also carry the shop and the birth month, so a search combined with those
 * filters ("dup" in shop 3, born in May) tests them inside the index range instead of reading every
 * matching row first: at a million customers that is the difference between a few milliseconds and
 * a few hundred. `id` is named before them so the name index keeps its (name, id) order, which the
 * list's first page walks.
 */
const INDEXES: Array<{ name: string; before: string[]; after: string[] }> = [
  { name: 'crm_customers_name_idx', before: ['company_id', 'name_norm'], after: ['company_id', 'name_norm', 'id', 'shop_id', 'birth_month'] },
  { name: 'crm_customers_name_rev_idx', before: ['company_id', 'name_rev_norm', 'name_norm'], after: ['company_id', 'name_rev_norm', 'name_norm', 'id', 'shop_id', 'birth_month'] },
  { name: 'crm_customers_phone_idx', before: ['company_id', 'phone_norm', 'name_norm'], after: ['company_id', 'phone_norm', 'name_norm', 'id', 'shop_id', 'birth_month'] },
  { name: 'crm_customers_email_idx', before: ['company_id', 'email_norm', 'name_norm'], after: ['company_id', 'email_norm', 'name_norm', 'id', 'shop_id', 'birth_month'] },
];

export async function up(knex: Knex): Promise<void> {
  await rebuild(knex, 'after');
}

export async function down(knex: Knex): Promise<void> {
  await rebuild(knex, 'before');
}

async function rebuild(knex: Knex, shape: 'before' | 'after'): Promise<void> {
  // One index at a time, each dropped and added back in a single ALTER.
  for (const index of INDEXES) {
    await knex.schema.alterTable('crm_customers', (t) => {
      t.dropIndex([], index.name);
      t.index(index[shape], index.name);
    });
  }
}
