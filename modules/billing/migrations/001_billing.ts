import type { Knex } from 'knex';
import { createBusinessTable } from 'tessera/core';

/**
 * billing's tables. Money columns are integer minor units (bigint), rates basis points. Ledger and
 * allocation rows are append-only: corrections are new rows, never updates or deletes.
 */
export async function up(knex: Knex): Promise<void> {
  await createBusinessTable(knex, 'billing_journals', (t) => {
    t.string('code', 32).notNullable();
    t.string('name', 191).notNullable();
    t.string('kind', 20).notNullable();
    t.string('number_format', 60).notNullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.unique(['company_id', 'code']);
  });
  await createBusinessTable(knex, 'billing_taxes', (t) => {
    t.string('name', 100).notNullable();
    t.integer('rate').notNullable();
  });
  await createBusinessTable(knex, 'billing_products', (t) => {
    t.string('code', 32).notNullable();
    t.string('name', 191).notNullable();
    t.bigInteger('unit_price').notNullable().defaultTo(0);
    t.integer('tax_id').unsigned().nullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.unique(['company_id', 'code']);
  });
  await createBusinessTable(knex, 'billing_profiles', (t) => {
    t.integer('customer_id').unsigned().notNullable();
    t.boolean('tax_exempt').notNullable().defaultTo(false);
    t.bigInteger('credit_limit').nullable();
    t.integer('payment_terms_days').notNullable().defaultTo(30);
    t.unique(['company_id', 'customer_id']);
  });
  // One row per customer: the balance and credit kept beside the ledger, and the row every money
  // movement of the customer locks first, so movements of one customer queue and never deadlock.
  await knex.schema.createTable('billing_accounts', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.bigInteger('balance').notNullable().defaultTo(0);
    t.bigInteger('credit').notNullable().defaultTo(0);
    t.unique(['company_id', 'customer_id']);
  });
  await createBusinessTable(knex, 'billing_documents', (t) => {
    t.string('kind', 16).notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.integer('journal_id').unsigned().notNullable();
    t.string('number', 60).nullable();
    t.string('status', 16).notNullable();
    t.string('currency', 3).notNullable();
    t.bigInteger('subtotal').notNullable().defaultTo(0);
    t.bigInteger('tax').notNullable().defaultTo(0);
    t.bigInteger('total').notNullable().defaultTo(0);
    t.bigInteger('residual').notNullable().defaultTo(0);
    t.boolean('tax_exempt').notNullable().defaultTo(false);
    t.string('issue_date', 10).notNullable();
    t.string('due_date', 10).nullable();
    t.string('delivery_status', 16).nullable();
    t.bigInteger('refunded').notNullable().defaultTo(0);
    t.integer('source_id').unsigned().nullable();
    t.integer('invoice_id').unsigned().nullable();
    t.string('origin_module', 40).nullable();
    t.string('origin_key', 120).nullable();
    t.string('reason', 500).nullable();
    t.text('metadata').nullable();
    t.timestamp('posted_at', { useTz: false }).nullable();
    t.unique(['company_id', 'journal_id', 'number']);
    t.unique(['company_id', 'origin_module', 'origin_key']);
    t.index(['company_id', 'customer_id', 'kind', 'status']);
    t.index(['company_id', 'kind', 'status', 'issue_date']);
    // Aged receivables read only this index (no table rows) over a million invoices.
    t.index(['company_id', 'kind', 'status', 'due_date', 'residual', 'customer_id'], 'billing_documents_aging');
  });
  await knex.schema.createTable('billing_document_lines', (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('document_id').unsigned().notNullable();
    t.integer('position').notNullable();
    t.string('product_code', 32).notNullable();
    t.string('description', 500).notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price').notNullable();
    t.integer('tax_rate').notNullable();
    t.bigInteger('subtotal').notNullable();
    t.bigInteger('tax').notNullable();
    t.bigInteger('amount').notNullable();
    t.index(['document_id', 'position']);
  });
  await createBusinessTable(knex, 'billing_payments', (t) => {
    t.integer('customer_id').unsigned().notNullable();
    t.integer('journal_id').unsigned().notNullable();
    t.bigInteger('amount').notNullable();
    t.string('currency', 3).notNullable();
    t.string('method', 20).notNullable();
    t.string('reference', 120).notNullable();
    t.string('status', 16).notNullable();
    t.bigInteger('unallocated').notNullable().defaultTo(0);
    t.boolean('allocate').notNullable().defaultTo(true);
    t.text('invoice_ids').nullable();
    t.text('metadata').nullable();
    t.string('reversal_reason', 500).nullable();
    t.string('paid_date', 10).nullable();
    t.unique(['company_id', 'journal_id', 'reference']);
    t.index(['company_id', 'customer_id', 'status']);
    t.index(['company_id', 'paid_date', 'journal_id']);
  });
  // Money applied from a source (a payment or a credit note) to an invoice, or consumed for another
  // module (invoice_id null). A reversal appends the opposite amount.
  await knex.schema.createTable('billing_allocations', (t) => {
    t.bigIncrements('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.string('source_kind', 16).notNullable();
    t.integer('source_id').unsigned().notNullable();
    t.integer('invoice_id').unsigned().nullable();
    t.bigInteger('amount').notNullable();
    t.string('reference', 120).nullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.index(['company_id', 'source_kind', 'source_id']);
    t.index(['company_id', 'invoice_id']);
    t.index(['company_id', 'customer_id', 'reference']);
  });
  // The receivables ledger: + what the customer owes more, - what they paid or were credited.
  await knex.schema.createTable('billing_ledger', (t) => {
    t.bigIncrements('id').primary();
    t.integer('company_id').unsigned().notNullable();
    t.integer('customer_id').unsigned().notNullable();
    t.string('entry_date', 10).notNullable();
    t.string('kind', 20).notNullable();
    t.integer('document_id').unsigned().nullable();
    t.integer('payment_id').unsigned().nullable();
    t.bigInteger('amount').notNullable();
    t.string('description', 255).notNullable();
    t.timestamp('created_at', { useTz: false }).notNullable();
    t.index(['company_id', 'customer_id', 'id']);
  });
  await createBusinessTable(knex, 'billing_selective_runs', (t) => {
    t.string('status', 16).notNullable();
    t.text('criteria').notNullable();
    t.text('customer_ids', 'mediumtext').notNullable();
    t.integer('total').notNullable().defaultTo(0);
    t.integer('done').notNullable().defaultTo(0);
    t.integer('invoices').notNullable().defaultTo(0);
    t.string('job_id', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['billing_selective_runs', 'billing_ledger', 'billing_allocations', 'billing_payments', 'billing_document_lines', 'billing_documents', 'billing_accounts', 'billing_profiles', 'billing_products', 'billing_taxes', 'billing_journals']) {
    await knex.schema.dropTableIfExists(table);
  }
}
