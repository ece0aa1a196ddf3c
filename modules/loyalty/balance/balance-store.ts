import type { Knex } from 'knex';
import { ConflictError, deferredWrite, sentWithNext, type ScopedDb } from 'tessera/core';

export const BALANCES = 'loyalty_balances';
export const LEDGER = 'loyalty_balance_ledger';

export type LedgerKind = 'recharge' | 'bonus' | 'payment' | 'payment_reversed' | 'cashback' | 'cashback_reversed' | 'refund' | 'adjustment';

export interface Movement {
  companyId: number;
  customerId: number;
  kind: LedgerKind;
  /** Signed minor units: positive credits the balance. */
  amount: number;
  /** Unique per company: the same source never moves the balance twice. */
  sourceKey: string;
  /**
   * `limit`: refused (409) when the balance would fall below `-credit_limit` (spends, debits by hand);
   * `none`: always applied (credits, and take-backs that must not block a refund).
   */
  guard: 'limit' | 'none';
  paymentId?: number | null;
  orderId?: number | null;
  invoiceId?: number | null;
  offerId?: number | null;
  reason?: string;
}

/** Whether the balance moved, and the ledger row that moved it (the balance after it is the row's `balance_after`). */
export interface Moved {
  moved: boolean;
  ledgerId: number | null;
  /** With `fresh`: the balance row right after the movement, answered once the transaction's next statement is sent. */
  balanceAfter?: Promise<{ balance: number; credit_limit: number } | null>;
}

export interface MoveOptions {
  /** The guarded update was already sent (see `guardedUpdateQuery`): whether it changed the row. */
  updated?: boolean;
  /**
   * For a source that cannot have moved the balance before (a payment posted in this very transaction):
   * the ledger row is not waited for but travels with the transaction's next statement (`deferredWrite`;
   * on a spend, the COMMIT), and so does a read of the balance row after it (`balanceAfter`). A taken
   * source key then fails the transaction instead of being a no-op.
   */
  fresh?: boolean;
}

export class InsufficientBalance extends ConflictError {
  constructor(readonly available: number, readonly asked: number) {
    super(`Balance too low: ${available} available (balance and credit limit), ${asked} asked`);
  }
}

/**
 * Moves a customer's balance by one ledger row, in the caller's transaction, in two statements: one
 * guarded UPDATE (`balance + delta >= -credit_limit`: the database decides between concurrent spends,
 * nothing is read before writing; the row stays locked until commit), then the ledger row written by
 * INSERT ... SELECT, taking `balance_after` from the row just updated. The ledger row's unique source
 * key makes a second delivery a no-op: its insert fails, and the update is undone by the opposite one
 * in the same transaction. When the guard refuses, an earlier delivery of the same source is still a
 * no-op (not a refusal); otherwise the caller's transaction is rolled back by the error. Except with
 * `fresh` (a source new in this transaction): there a taken source key fails the transaction.
 */
export async function move(db: ScopedDb, m: Movement, options: MoveOptions = {}): Promise<Moved> {
  if (!Number.isSafeInteger(m.amount) || m.amount === 0) throw new Error(`A balance movement needs a non-zero integer amount (${m.amount})`);
  const sourceKey = m.sourceKey.slice(0, 120);
  if (!(options.updated ?? (await guardedUpdate(db, m)))) {
    const row = await balanceRow(db, m.companyId, m.customerId);
    if (row) {
      if (await alreadyMoved(db, m.companyId, sourceKey)) return { moved: false, ledgerId: null };
      throw new InsufficientBalance(row.balance + row.credit_limit, -m.amount);
    }
    // First movement of this customer: make the row (a concurrent first movement may beat us to it), then again.
    await db.unscoped('the balance row of a customer of the caller\'s company').table(BALANCES).insert({ company_id: m.companyId, customer_id: m.customerId, balance: 0, credit_limit: 0, created_at: new Date(), updated_at: new Date() }).onConflict(['company_id', 'customer_id']).ignore();
    if (!(await guardedUpdate(db, m))) throw new InsufficientBalance((await balanceRow(db, m.companyId, m.customerId))?.credit_limit ?? 0, -m.amount);
  }
  if (options.fresh) {
    await deferredWrite(ledgerInsert(db, m, sourceKey) as unknown as Knex.QueryBuilder);
    const read = await sentWithNext(balanceQuery(db, m.companyId, m.customerId));
    const balanceAfter = read.result.then((row) => toBalance(row as { balance?: unknown } | undefined));
    // Its reader may never come (a retried request); its failure fails the transaction anyway.
    balanceAfter.catch(() => undefined);
    return { moved: true, ledgerId: null, balanceAfter };
  }
  let ledgerId: number;
  try {
    ledgerId = await insertLedgerRow(db, m, sourceKey);
  } catch (error) {
    if (!isDuplicate(error)) throw error;
    // Delivered before: put the balance back as it was (the row is still ours) and change nothing.
    await guardedUpdate(db, { ...m, amount: -m.amount, guard: 'none' });
    return { moved: false, ledgerId: null };
  }
  return { moved: true, ledgerId };
}

const LEDGER_COLUMNS = ['company_id', 'customer_id', 'kind', 'amount', 'source_key', 'payment_id', 'order_id', 'invoice_id', 'offer_id', 'reason', 'created_at', 'updated_at', 'created_by', 'updated_by'];

/** The ledger row of a movement with the balance row's new balance, in one statement; answers its id. */
async function insertLedgerRow(db: ScopedDb, m: Movement, sourceKey: string): Promise<number> {
  const result = await ledgerInsert(db, m, sourceKey);
  const header = (Array.isArray(result) ? result[0] : result) as { insertId?: number; lastInsertRowid?: number | bigint } | undefined;
  const id = Number(header?.insertId ?? header?.lastInsertRowid);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`The ledger row of ${sourceKey} was not written`);
  return id;
}

/** `insertLedgerRow`'s statement, unsent. */
function ledgerInsert(db: ScopedDb, m: Movement, sourceKey: string): Knex.Raw {
  db.assertCompany(m.companyId);
  const now = new Date();
  const who = db.principal.userId ?? null;
  const values = [m.companyId, m.customerId, m.kind, m.amount, sourceKey, m.paymentId ?? null, m.orderId ?? null, m.invoiceId ?? null, m.offerId ?? null, (m.reason ?? '').slice(0, 255), now, now, who, who];
  const knex = db.unscoped('the ledger row of a balance of the company asserted above');
  return knex.raw(
    `insert into ${LEDGER} (${LEDGER_COLUMNS.join(', ')}, balance_after) select ${LEDGER_COLUMNS.map(() => '?').join(', ')}, b.balance from ${BALANCES} b where b.company_id = ? and b.customer_id = ?`,
    [...values, m.companyId, m.customerId],
  );
}

async function alreadyMoved(db: ScopedDb, companyId: number, sourceKey: string): Promise<boolean> {
  return Boolean(await db.queryCompany(companyId, LEDGER).where({ source_key: sourceKey }).first('id'));
}

async function guardedUpdate(db: ScopedDb, m: Movement): Promise<boolean> {
  return Number(await guardedUpdateQuery(db, m)) === 1;
}

/**
 * A movement's guarded update, unsent: the first statement of `move`, for a caller that sends it
 * with another (billing's event sends a spend's ahead) and passes `updated` to `move`.
 */
export function guardedUpdateQuery(db: ScopedDb, m: Movement): ReturnType<ScopedDb['queryCompany']> {
  let query = db.queryCompany(m.companyId, BALANCES).where({ customer_id: m.customerId });
  if (m.guard === 'limit' && m.amount < 0) query = query.whereRaw('balance + ? >= -credit_limit', [m.amount]);
  return query.update({ balance: db.unscoped('a column expression').raw('balance + ?', [m.amount]), updated_at: new Date(), updated_by: db.principal.userId }) as unknown as ReturnType<ScopedDb['queryCompany']>;
}

export async function balanceRow(db: ScopedDb, companyId: number, customerId: number): Promise<{ balance: number; credit_limit: number } | null> {
  return toBalance(await balanceQuery(db, companyId, customerId));
}

/** `balanceRow`'s read, unsent; `toBalance` makes its answer. */
function balanceQuery(db: ScopedDb, companyId: number, customerId: number): ReturnType<ScopedDb['queryCompany']> {
  return db.queryCompany(companyId, BALANCES).where({ customer_id: customerId }).first('balance', 'credit_limit') as unknown as ReturnType<ScopedDb['queryCompany']>;
}

function toBalance(row: { balance?: unknown; credit_limit?: unknown } | null | undefined): { balance: number; credit_limit: number } | null {
  return row ? { balance: Number(row.balance), credit_limit: Number(row.credit_limit) } : null;
}

/** Sets how far below zero the balance may go; refused when the balance is already below the new limit. */
export async function setCreditLimit(db: ScopedDb, companyId: number, customerId: number, limit: number): Promise<void> {
  await db.unscoped('the balance row of a customer of the caller\'s company').table(BALANCES).insert({ company_id: companyId, customer_id: customerId, balance: 0, credit_limit: 0, created_at: new Date(), updated_at: new Date() }).onConflict(['company_id', 'customer_id']).ignore();
  const changed = await db.queryCompany(companyId, BALANCES).where({ customer_id: customerId }).whereRaw('balance >= ?', [-limit]).update({ credit_limit: limit, updated_at: new Date(), updated_by: db.principal.userId });
  if (Number(changed) !== 1) throw new ConflictError(`The balance is below -${limit}: settle it before lowering the credit limit`);
  await db.audit({ table: BALANCES, recordId: customerId, action: 'credit_limit', changes: { credit_limit: limit }, companyId });
}

export function isDuplicate(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === 'ER_DUP_ENTRY' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || /UNIQUE constraint failed/.test(String(e?.message));
}
