import type { Knex } from 'knex';

/**
 * `core_jobs` becomes the ledger of every job, whichever queue runs it: the company it works for and
 * the user who started it (the jobs pages show each user only their companies' jobs), a lease held by
 * the process running it (a process that dies gives its job back when the lease runs out), and where
 * its hand-over to Redis stands (a job Redis lost is handed over again).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_jobs', (t) => {
    t.integer('company_id').unsigned().nullable();
    t.integer('user_id').unsigned().nullable();
    t.string('claimed_by', 120).nullable();
    t.timestamp('lease_until', { useTz: false }).nullable();
    t.timestamp('relayed_at', { useTz: false }).nullable();
    t.string('relay_epoch', 40).nullable();
    t.integer('relay_gen').notNullable().defaultTo(0);
    t.index(['company_id', 'status', 'id']);
    t.index(['status', 'relayed_at']);
    t.index(['status', 'lease_until']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('core_jobs', (t) => {
    t.dropIndex(['company_id', 'status', 'id']);
    t.dropIndex(['status', 'relayed_at']);
    t.dropIndex(['status', 'lease_until']);
    t.dropColumns('company_id', 'user_id', 'claimed_by', 'lease_until', 'relayed_at', 'relay_epoch', 'relay_gen');
  });
}
