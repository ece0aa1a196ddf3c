import type { Knex } from 'knex';

/**
 * The largest id a row can have: ids are `increments()` columns, INT UNSIGNED on MySQL/MariaDB, so
 * anything larger can name no row and would make a write fail.
 */
export const MAX_ID = 4_294_967_295;

/**
 * Creates a table for business rows: `id`, `company_id` (indexed, referencing the company), the columns
 * `build` adds, and who/when stamps that `ScopedDb` fills on every write.
 */
export async function createBusinessTable(knex: Knex, name: string, build: (t: Knex.CreateTableBuilder) => void): Promise<void> {
  await knex.schema.createTable(name, (t) => {
    t.increments('id').primary();
    t.integer('company_id').unsigned().notNullable().references('id').inTable('core_companies');
    build(t);
    t.timestamp('created_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: false }).notNullable().defaultTo(knex.fn.now());
    t.integer('created_by').unsigned().nullable();
    t.integer('updated_by').unsigned().nullable();
    t.index(['company_id', 'id']);
  });
}

export function isMysql(knex: Knex): boolean {
  return String(knex.client.config.client).startsWith('mysql');
}

/** A timestamp as the API shows it (ISO 8601, UTC), from whatever the driver gave; null when there is none. */
export function iso(value: unknown): string | null {
  const date = toDate(value);
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}

/** Timestamps come back as Date from MySQL and as epoch milliseconds from SQLite; this evens them out. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const text = String(value);
  return new Date(/^\d+$/.test(text) ? Number(text) : text.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? '' : 'Z'));
}
