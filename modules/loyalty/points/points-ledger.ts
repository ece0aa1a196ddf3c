import { ConflictError, iso, type ScopedDb } from 'tessera/core';
import { LOYALTY_POINTS_EVENTS } from '../api';

export const ACCOUNTS = 'loyalty_points_accounts';
export const LEDGER = 'loyalty_points_ledger';

export type LedgerKind = 'earned' | 'spent' | 'reversed' | 'adjusted' | 'expired';

export interface LedgerInput {
  customerId: number;
  kind: LedgerKind;
  /** Signed: positive adds to the balance. */
  points: number;
  amount?: number;
  documentKind?: string | null;
  documentId?: number | null;
  /** Unique per company: the same key again writes nothing and answers the first line. */
  sourceKey: string;
  reason?: string;
}

export interface LedgerLine {
  id: number;
  customer_id: number;
  kind: LedgerKind;
  points: number;
  amount: number;
  document_kind: string | null;
  document_id: number | null;
  source_key: string;
  reason: string;
  created_at: string | null;
  created_by: number | null;
  /** Running balance after this line (oldest first). */
  balance?: number;
}

export function toLine(row: Record<string, unknown>): LedgerLine {
  return {
    id: Number(row.id),
    customer_id: Number(row.customer_id),
    kind: row.kind as LedgerKind,
    points: Number(row.points),
    amount: Number(row.amount),
    document_kind: (row.document_kind as string | null) ?? null,
    document_id: row.document_id == null ? null : Number(row.document_id),
    source_key: String(row.source_key),
    reason: String(row.reason ?? ''),
    created_at: iso(row.created_at),
    created_by: row.created_by == null ? null : Number(row.created_by),
  };
}

/**
 * The customer's points account row, made on first use and locked (MariaDB row lock; SQLite
 * serializes writers anyway): every change of a customer's points queues behind it, so the
 * "already written?" check of a source key and the balance it reads cannot be overtaken.
 */
export async function lockAccount(db: ScopedDb, customerId: number): Promise<{ id: number; balance: number; card_number: string | null }> {
  const companyId = db.principal.companyId;
  const read = async () => {
    let query = db.queryCompany(companyId, ACCOUNTS).where({ customer_id: customerId });
    if (db.client !== 'better-sqlite3') query = query.forUpdate();
    return query.first('id', 'balance', 'card_number');
  };
  // Locking read first: INSERT IGNORE on an existing row takes a shared lock on MariaDB, and two of
  // those upgrading to the exclusive lock at once deadlock.
  let row = await read();
  if (!row) {
    const now = new Date();
    // INSERT IGNORE / ON CONFLICT DO NOTHING: two first movements at once make one row, without a duplicate error.
    await db
      .unscoped("the caller's company's points account, inserted for the company in scope")
      .table(ACCOUNTS)
      .insert({ company_id: companyId, customer_id: customerId, balance: 0, created_at: now, updated_at: now })
      .onConflict(['company_id', 'customer_id'])
      .ignore();
    row = await read();
  }
  return { id: Number(row.id), balance: Number(row.balance), card_number: (row.card_number as string | null) ?? null };
}

/**
 * Runs `work` in a transaction: the caller's when already in one, else a new one retried when MariaDB
 * picks it as a deadlock victim (nothing of it was kept).
 */
export async function inTransaction<T>(db: ScopedDb, work: (trx: ScopedDb) => Promise<T>): Promise<T> {
  if (db.isInTransaction) return work(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT' && code !== 'SQLITE_BUSY')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
    }
  }
}

export async function existingLine(db: ScopedDb, sourceKey: string): Promise<LedgerLine | null> {
  const row = await db.queryCompany(db.principal.companyId, LEDGER).where({ source_key: sourceKey }).first();
  return row ? toLine(row) : null;
}

/**
 * Appends one ledger line and moves the account's balance by the same points in the same transaction
 * (balance = sum of the ledger). A debit with `guard` is a guarded update (`balance >= points`): when
 * the points are no longer there, nothing is written and the caller gets a 409. Call after
 * `lockAccount`, inside a transaction.
 */
export async function appendLine(db: ScopedDb, input: LedgerInput, options: { guard?: boolean } = {}): Promise<{ line: LedgerLine; created: boolean }> {
  const first = await existingLine(db, input.sourceKey);
  if (first) return { line: first, created: false };
  const companyId = db.principal.companyId;
  if (input.points !== 0) {
    let update = db.unscoped('the locked points account of a customer of the company in scope').table(ACCOUNTS).where({ company_id: companyId, customer_id: input.customerId });
    if (input.points < 0 && options.guard) update = update.where('balance', '>=', -input.points);
    const changed = await update.update({ balance: db.unscoped('raw expression').raw('balance + ?', [input.points]), updated_at: new Date() });
    if (Number(changed) !== 1) throw new ConflictError(`Customer ${input.customerId} no longer has ${-input.points} points`);
  }
  const id = await db.insert(
    LEDGER,
    {
      company_id: companyId,
      customer_id: input.customerId,
      kind: input.kind,
      points: input.points,
      amount: input.amount ?? 0,
      document_kind: input.documentKind ?? null,
      document_id: input.documentId ?? null,
      source_key: input.sourceKey,
      reason: (input.reason ?? '').slice(0, 255),
    },
    { audit: input.kind === 'adjusted' },
  );
  const row = await db.queryCompany(companyId, LEDGER).where({ id }).first();
  const account = await db.queryCompany(companyId, ACCOUNTS).where({ customer_id: input.customerId }).first('balance');
  await db.publish(LOYALTY_POINTS_EVENTS.pointsChanged, { customer_id: input.customerId, kind: input.kind, points: input.points, balance: Number(account.balance), document_kind: input.documentKind ?? null, document_id: input.documentId ?? null });
  return { line: toLine(row), created: true };
}

/** The customer's balance and ledger (oldest first, each line with its running balance). */
export async function ledgerOf(db: ScopedDb, customerId: number, limit = 500): Promise<{ balance: number; card_number: string | null; ledger: LedgerLine[] }> {
  const companyId = db.principal.companyId;
  const account = await db.queryCompany(companyId, ACCOUNTS).where({ customer_id: customerId }).first('balance', 'card_number');
  const rows = (await db.queryCompany(companyId, LEDGER).where({ customer_id: customerId }).orderBy('id', 'desc').limit(limit)) as Array<Record<string, unknown>>;
  const balance = Number(account?.balance ?? 0);
  // Running balances computed backwards from the account's balance, so a long history needs no full scan.
  let running = balance;
  const ledger = rows.map((row) => {
    const line = { ...toLine(row), balance: running };
    running -= line.points;
    return line;
  });
  return { balance, card_number: (account?.card_number as string | null) ?? null, ledger: ledger.reverse() };
}
