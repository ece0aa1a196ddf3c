import type { Knex } from 'knex';
import { dialectOf } from '../db/connection';
import { isDuplicateKey } from '../db/db-lock';

/**
 * Gap-free numbering per company and key (invoice numbers, message numbers, customer codes).
 * The number is taken inside the caller's transaction with the sequence row locked, so concurrent
 * callers queue on the row and a rolled-back caller gives its number back.
 */
export class Sequences {
  async next(trx: Knex.Transaction, companyId: number, key: string): Promise<number> {
    for (let attempt = 0; attempt < 3; attempt++) {
      let query = trx('core_sequences').where({ company_id: companyId, key });
      // SQLite has one writer at a time, so its transactions are already serialized.
      if (dialectOf(trx as unknown as Knex) === 'mysql') query = query.forUpdate();
      const row = await query.first();
      if (row) {
        const value = Number(row.next_value);
        await trx('core_sequences').where({ company_id: companyId, key }).update({ next_value: value + 1 });
        return value;
      }
      try {
        // The first caller creates the row; a concurrent first caller hits the key and loops to lock it.
        await trx('core_sequences').insert({ company_id: companyId, key, next_value: 2 });
        return 1;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new Error(`Could not take a number from sequence ${key}`);
  }

  /** Formats a number with a pattern like `JW-{seq:6}` (zero-padded to 6 digits) or `{year}/{seq}`. */
  static format(pattern: string, value: number, date = new Date()): string {
    return pattern
      .replace(/\{seq(?::(\d+))?\}/g, (_m, width) => String(value).padStart(Number(width ?? 0), '0'))
      .replace(/\{year\}/g, String(date.getUTCFullYear()))
      .replace(/\{month\}/g, String(date.getUTCMonth() + 1).padStart(2, '0'));
  }
}
