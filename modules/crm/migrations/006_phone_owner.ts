import type { Knex } from 'knex';

/**
 * A phone number belongs to one customer of a company; a family member may share its main
 * customer's. `owned_phone_norm` is the normalized phone of a customer that holds it in its own
 * right, unique per company; it stays NULL for a customer without a phone and for a family member
 * sharing its main customer's phone.
 *
 * Customers that already shared a phone keep it: the first of them (lowest id) owns it and the
 * others stay NULL, so the unique key can be added over existing duplicates. They are listed by
 * `GET /api/v1/crm/customers/duplicate-phones` to be merged (README, crm).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('crm_customers', (t) => {
    t.string('owned_phone_norm', 40).nullable();
  });
  // The derived table makes MySQL read the keepers before it writes the table it reads them from.
  await knex.raw(`
    UPDATE crm_customers SET owned_phone_norm = phone_norm
    WHERE id IN (
      SELECT id FROM (
        SELECT MIN(c.id) AS id
        FROM crm_customers c LEFT JOIN crm_customers p ON p.id = c.parent_id
        WHERE c.phone_norm IS NOT NULL AND (p.id IS NULL OR p.phone_norm IS NULL OR p.phone_norm <> c.phone_norm)
        GROUP BY c.company_id, c.phone_norm
      ) keepers
    )`);
  await knex.schema.alterTable('crm_customers', (t) => {
    t.unique(['company_id', 'owned_phone_norm'], { indexName: 'crm_customers_owned_phone_unique' });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('crm_customers', (t) => {
    t.dropUnique(['company_id', 'owned_phone_norm'], 'crm_customers_owned_phone_unique');
  });
  await knex.schema.alterTable('crm_customers', (t) => {
    t.dropColumn('owned_phone_norm');
  });
}
