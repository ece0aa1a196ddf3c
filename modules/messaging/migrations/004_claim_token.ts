import type { Knex } from 'knex';

/**
 * The claim of a delivery job: a token written with `sending` by the job's one guarded update, so the
 * job reads back only the rows it claimed itself (no locking read, no transaction of its own), and a
 * job whose notifications another run took finds that out in that one update. Down drops it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messaging_notifications', (t) => {
    t.string('claim_token', 36).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messaging_notifications', (t) => {
    t.dropColumn('claim_token');
  });
}
