import { ConflictError, type ScopedDb } from 'tessera/core';

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

export interface Moved {
  moved: boolean;
  balance: number;
  ledgerId: number | null;
}

export class InsufficientBalance extends ConflictError {
  constructor(readonly available: number, readonly asked: number) {
    super(`Balance too low: ${available} available (balance and credit limit), ${asked} asked`);
  }
}

/**
 * Moves a customer's balance by one ledger row, in the caller's transaction. The ledger row goes in
 * first: its unique source key makes a second delivery a no-op (and makes a concurrent duplicate wait
 * for the first). Then one guarded UPDATE (`balance + delta >= -credit_limit`): the database decides
 * between concurrent spends, nothing is read before writing. When it refuses, the caller's
 * transaction (and the ledger row) is rolled back by the error.
 */
export async function move(db: ScopedDb, m: Movement): Promise<Moved> {
  if (!Number.isSafeInteger(m.amount) || m.amount === 0) throw new Error(`A balance movement needs a non-zero integer amount (${m.amount})`);
  let ledgerId: number;
  try {
    ledgerId = await db.insert(
      LEDGER,
      {
        company_id: m.companyId,
        customer_id: m.customerId,
        kind: m.kind,
        amount: m.amount,
        balance_after: 0,
        source_key: m.sourceKey.slice(0, 120),
        payment_id: m.paymentId ?? null,
        order_id: m.orderId ?? null,
        invoice_id: m.invoiceId ?? null,
        offer_id: m.offerId ?? null,
        reason: (m.reason ?? '').slice(0, 255),
      },
      { audit: false },
    );
  } catch (error) {
    if (!isDuplicate(error)) throw error;
    return { moved: false, balance: (await balanceRow(db, m.companyId, m.customerId))?.balance ?? 0, ledgerId: null };
  }
  if (!(await guardedUpdate(db, m))) {
    const row = await balanceRow(db, m.companyId, m.customerId);
    if (row) throw new InsufficientBalance(row.balance + row.credit_limit, -m.amount);
    // First movement of this customer: make the row (a concurrent first movement may beat us to it), then again.
    await db.unscoped('the balance row of a customer of the caller\'s company').table(BALANCES).insert({ company_id: m.companyId, customer_id: m.customerId, balance: 0, credit_limit: 0, created_at: new Date(), updated_at: new Date() }).onConflict(['company_id', 'customer_id']).ignore();
    if (!(await guardedUpdate(db, m))) throw new InsufficientBalance((await balanceRow(db, m.companyId, m.customerId))?.credit_limit ?? 0, -m.amount);
  }
  // The row is ours until commit (locked by the update; SQLite has one writer): this is our balance.
  const balance = (await balanceRow(db, m.companyId, m.customerId))?.balance ?? 0;
  await db.queryCompany(m.companyId, LEDGER).where({ id: ledgerId }).update({ balance_after: balance });
  return { moved: true, balance, ledgerId };
}

async function guardedUpdate(db: ScopedDb, m: Movement): Promise<boolean> {
  let query = db.queryCompany(m.companyId, BALANCES).where({ customer_id: m.customerId });
  if (m.guard === 'limit' && m.amount < 0) query = query.whereRaw('balance + ? >= -credit_limit', [m.amount]);
  const changed = await query.update({ balance: db.unscoped('a column expression').raw('balance + ?', [m.amount]), updated_at: new Date(), updated_by: db.principal.userId });
  return Number(changed) === 1;
}

export async function balanceRow(db: ScopedDb, companyId: number, customerId: number): Promise<{ balance: number; credit_limit: number } | null> {
  const row = await db.queryCompany(companyId, BALANCES).where({ customer_id: customerId }).first('balance', 'credit_limit');
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
