import crypto from 'node:crypto';
import { isDuplicateKey, type ScopedDb } from 'tessera/core';

/**
 * Single-use codes: crypto-random over an alphabet without look-alikes (no 0/O, 1/I/L), 12 symbols
 * in three groups (`K7QM-2XHT-9RWD`): 31^12 ≈ 2^59 codes, so guessing one is hopeless and a
 * collision is rare; the unique key (company, code) decides anyway, and a colliding chunk is redrawn.
 */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const GROUPS = 3;
const GROUP_LENGTH = 4;

export function randomCode(prefix = ''): string {
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    let part = '';
    // randomInt draws without modulo bias.
    for (let i = 0; i < GROUP_LENGTH; i++) part += CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)];
    groups.push(part);
  }
  return (prefix ? `${prefix}-` : '') + groups.join('-');
}

/** A code as typed: case and surrounding spaces do not matter. */
export function normalizeCode(text: string): string {
  return text.trim().toUpperCase();
}

export const CODES_TABLE = 'loyalty_coupon_codes';

/**
 * Inserts `count` new codes for the coupon in the caller's transaction. Returns how many were added.
 */
export async function insertCodes(db: ScopedDb, couponId: number, count: number, options: { prefix?: string; batchId?: number | null } = {}): Promise<number> {
  const companyId = db.principal.companyId;
  const knex = db.unscoped('codes of a coupon of the caller company, written in its transaction');
  const now = new Date();
  let added = 0;
  while (added < count) {
    // 50 rows a statement: far below SQLite's bound-variable cap. A statement refused by the unique
    // key wrote nothing (statement-level rollback on both databases), so only that slice is redrawn.
    const size = Math.min(50, count - added);
    for (let attempt = 1; ; attempt++) {
      const codes = new Set<string>();
      while (codes.size < size) codes.add(randomCode(options.prefix));
      const rows = [...codes].map((code) => ({ company_id: companyId, coupon_id: couponId, code, batch_id: options.batchId ?? null, created_at: now, updated_at: now, created_by: db.principal.userId, updated_by: db.principal.userId }));
      try {
        await knex(CODES_TABLE).insert(rows);
        break;
      } catch (error) {
        if (!isDuplicateKey(error) || attempt >= 5) throw error;
      }
    }
    added += size;
  }
  await knex('loyalty_coupons').where({ id: couponId, company_id: companyId }).increment('codes_count', count);
  return added;
}
