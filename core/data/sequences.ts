import knexFactory, { Knex } from 'knex';
import { dialectOf } from '../db/connection';

/**
 * Gap-free numbering per company and key (invoice numbers, message numbers, customer codes).
 * The number is taken inside the caller's transaction with the sequence row locked, so concurrent
 * callers queue on the row and a rolled-back caller gives its number back.
 */
export class Sequences {
  /**
   * Creates missing sequence rows on a connection of its own: callers hold pool connections for their
   * transactions, so borrowing one more from the same pool could wait forever under load.
   */
  private creator: Knex | null = null;

  constructor(private readonly knex: Knex) {}

  async next(trx: Knex.Transaction, companyId: number, key: string): Promise<number> {
    const where = { company_id: companyId, key };
    if (dialectOf(this.knex) === 'mysql') {
      // Create the row outside the caller's transaction, with a plain read first: a locking read of a
      // missing row takes gap locks that make concurrent first callers deadlock each other.
      if (!(await trx('core_sequences').where(where).first('key'))) {
        this.creator ??= knexFactory({ ...this.knex.client.config, pool: { min: 0, max: 1 } });
        await this.creator('core_sequences').insert({ ...where, next_value: 1 }).onConflict(['company_id', 'key']).ignore();
      }
      const row = await trx('core_sequences').where(where).forUpdate().first();
      const value = Number(row.next_value);
      await trx('core_sequences').where(where).update({ next_value: value + 1 });
      return value;
    }
    // SQLite has one writer at a time, so its transactions are already serialized.
    await trx('core_sequences').insert({ ...where, next_value: 1 }).onConflict(['company_id', 'key']).ignore();
    const row = await trx('core_sequences').where(where).first();
    const value = Number(row.next_value);
    await trx('core_sequences').where(where).update({ next_value: value + 1 });
    return value;
  }

  /** The last number given (0 when none was), read in the caller's transaction. */
  async last(trx: Knex | Knex.Transaction, companyId: number, key: string): Promise<number> {
    const row = await trx('core_sequences').where({ company_id: companyId, key }).first('next_value');
    return row ? Number(row.next_value) - 1 : 0;
  }

  /**
   * Raises the last number given to `lastUsed` (an admin continuing an older numbering); never lowers
   * it: a guarded update, so a number given meanwhile is never given again. Returns the last number.
   */
  async raise(trx: Knex.Transaction, companyId: number, key: string, lastUsed: number): Promise<number> {
    const where = { company_id: companyId, key };
    await trx('core_sequences').insert({ ...where, next_value: 1 }).onConflict(['company_id', 'key']).ignore();
    await trx('core_sequences').where(where).where('next_value', '<', lastUsed + 1).update({ next_value: lastUsed + 1 });
    return this.last(trx, companyId, key);
  }

  async close(): Promise<void> {
    await this.creator?.destroy();
    this.creator = null;
  }

  /** Formats a number with a pattern like `JW-{seq:6}` (zero-padded to 6 digits) or `{year}/{seq}`. */
  static format(pattern: string, value: number, date = new Date()): string {
    return pattern
      .replace(/\{seq(?::(\d+))?\}/g, (_m, width) => String(value).padStart(Number(width ?? 0), '0'))
      .replace(/\{year\}/g, String(date.getUTCFullYear()))
      .replace(/\{month\}/g, String(date.getUTCMonth() + 1).padStart(2, '0'));
  }
}
