import type { Knex } from 'knex';
import { deferredWrite, type ScopedDb } from 'tessera/core';
import { locking } from '../shared/caller';

/** billing's own append-only rows are written with their company set explicitly, not through the audited insert. */
export function rows(db: ScopedDb): Knex | Knex.Transaction {
  return db.unscoped('billing writes its append-only rows (ledger, allocations, lines) with the company set explicitly');
}

export interface AccountRow {
  balance: number;
  credit: number;
}

/**
 * Locks the customer's account row, creating it at first use. Every money movement of a customer
 * takes this lock first, so movements of one customer queue in one order and never deadlock on
 * invoices; movements of different customers run side by side.
 */
export async function lockAccount(db: ScopedDb, customerId: number): Promise<AccountRow> {
  const companyId = db.principal.companyId;
  const account = () => db.queryCompany(companyId, 'billing_accounts').where({ customer_id: customerId });
  const key = `${companyId}:${customerId}`;
  if (knownAccounts.has(key)) {
    // Seen in this process: the row exists (accounts are never deleted), so lock it at once. Only a hint:
    // another database in the same process (tests) may lack it, and then the safe path below makes it.
    const row = await locking(db, account()).first('balance', 'credit');
    if (row) return { balance: Number(row.balance), credit: Number(row.credit) };
    knownAccounts.delete(key);
  }
  // A locking read of a row that does not exist yet takes a gap lock on MariaDB, and the first
  // payments of two neighbouring customers then deadlock on their inserts: make the row first,
  // after a plain read that locks nothing.
  if (!(await account().first('customer_id'))) {
    await rows(db)('billing_accounts').insert({ company_id: companyId, customer_id: customerId, balance: 0, credit: 0 }).onConflict(['company_id', 'customer_id']).ignore();
  }
  const row = await locking(db, account()).first('balance', 'credit');
  if (knownAccounts.size >= KNOWN_ACCOUNTS_MAX) knownAccounts.clear();
  knownAccounts.add(key);
  return { balance: Number(row.balance), credit: Number(row.credit) };
}

/**
 * Locks the customer's account by moving its balance at once (one statement where a lock and a later
 * update were two): for a payment, whose amount is known before anything else is written. The ledger
 * row of the same amount must follow in the transaction (`appendLedger` with `balanceMoved`).
 * `beforeNewAccount` runs first unless the account existed (seen in this process): true when it did.
 */
export async function lockAccountMovingBalance(db: ScopedDb, customerId: number, balanceChange: number, beforeNewAccount?: () => Promise<void>): Promise<boolean> {
  const companyId = db.principal.companyId;
  const move = () => rows(db)('billing_accounts').where({ company_id: companyId, customer_id: customerId }).update({ balance: rows(db).raw('balance + ?', [balanceChange]) });
  // Only for an account seen in this process: an update that finds no row takes a gap lock on MariaDB
  // (see lockAccount), so a new account goes the safe way first.
  if (knownAccounts.has(`${companyId}:${customerId}`) && Number(await move()) === 1) return true;
  await beforeNewAccount?.();
  await lockAccount(db, customerId);
  if (Number(await move()) !== 1) throw new Error(`billing account of customer ${customerId} vanished while locked`);
  return false;
}

/**
 * The balance move of `lockAccountMovingBalance` for an account seen in this process, unsent: for a
 * caller sending it with its next statement (`sentTogether`), as the first of the packet so the account
 * lock still comes first. null for an account not seen here (take `lockAccountMovingBalance`), and
 * when the move changed no row, `forgetAccount` and take `lockAccountMovingBalance` too.
 */
export function knownAccountMove(db: ScopedDb, customerId: number, balanceChange: number): Knex.QueryBuilder | null {
  const companyId = db.principal.companyId;
  if (!knownAccounts.has(`${companyId}:${customerId}`)) return null;
  return rows(db)('billing_accounts').where({ company_id: companyId, customer_id: customerId }).update({ balance: rows(db).raw('balance + ?', [balanceChange]) }) as unknown as Knex.QueryBuilder;
}

export function forgetAccount(db: ScopedDb, customerId: number): void {
  knownAccounts.delete(`${db.principal.companyId}:${customerId}`);
}

/** `company:customer` of accounts this process has locked: their next lock skips the existence read. */
const knownAccounts = new Set<string>();
const KNOWN_ACCOUNTS_MAX = 200_000;

export type LedgerKind = 'invoice' | 'credit_note' | 'payment' | 'reversal' | 'refund' | 'credit_spent';

export interface LedgerEntry {
  kind: LedgerKind;
  /** + the customer owes more, - the customer paid or was credited. */
  amount: number;
  date: string;
  description: string;
  documentId?: number | null;
  paymentId?: number | null;
}

/** Appends ledger rows and moves the account's balance (and credit) by the same amounts, in the caller's transaction. */
export async function appendLedger(db: ScopedDb, customerId: number, entries: LedgerEntry[], creditChange = 0, options: { balanceMoved?: boolean } = {}): Promise<void> {
  const companyId = db.principal.companyId;
  const now = new Date();
  if (entries.length) {
    // Append-only, ids unread: the rows travel with the transaction's next statement (see recordAllocations).
    await deferredWrite(rows(db)('billing_ledger').insert(
      entries.map((e) => ({
        company_id: companyId,
        customer_id: customerId,
        entry_date: e.date,
        kind: e.kind,
        document_id: e.documentId ?? null,
        payment_id: e.paymentId ?? null,
        amount: e.amount,
        description: e.description.slice(0, 255),
        created_at: now,
      })),
    ));
  }
  // `balanceMoved`: the caller moved the balance by these entries' sum when it locked the account.
  const balanceChange = options.balanceMoved ? 0 : entries.reduce((sum, e) => sum + e.amount, 0);
  if (balanceChange === 0 && creditChange === 0) return;
  const change: Record<string, unknown> = {};
  if (balanceChange !== 0) change.balance = rows(db).raw('balance + ?', [balanceChange]);
  if (creditChange !== 0) change.credit = rows(db).raw('credit + ?', [creditChange]);
  await rows(db)('billing_accounts').where({ company_id: companyId, customer_id: customerId }).update(change);
}

/** The customer's balance as the sum of the ledger (what the account row must always equal). */
export async function ledgerSum(db: ScopedDb, customerId: number): Promise<number> {
  const row = await db.queryCompany(db.principal.companyId, 'billing_ledger').where({ customer_id: customerId }).sum({ total: 'amount' }).first();
  return Number(row?.total ?? 0);
}
