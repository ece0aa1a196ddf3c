import type { ScopedDb } from 'tessera/core';

export interface StatementLine {
  id: number;
  date: string;
  kind: string;
  description: string;
  document_id: number | null;
  payment_id: number | null;
  debit: number;
  credit: number;
  /** The balance after this line. */
  balance: number;
}

export interface Statement {
  customer_id: number;
  from: string | null;
  to: string | null;
  opening_balance: number;
  closing_balance: number;
  lines: StatementLine[];
}

/** The customer's ledger between two calendar days with a running balance (the sum of every row before). */
export async function statementOf(db: ScopedDb, customerId: number, range: { from?: string; to?: string } = {}): Promise<Statement> {
  const companyId = db.principal.companyId;
  const base = () => db.queryCompany(companyId, 'billing_ledger').where({ customer_id: customerId });
  let opening = 0;
  if (range.from) {
    const before = await base().where('entry_date', '<', range.from).sum({ s: 'amount' }).first();
    opening = Number(before?.s ?? 0);
  }
  let query = base();
  if (range.from) query = query.where('entry_date', '>=', range.from);
  if (range.to) query = query.where('entry_date', '<=', range.to);
  const found: Array<Record<string, unknown>> = await query.orderBy('id').select('id', 'entry_date', 'kind', 'description', 'document_id', 'payment_id', 'amount');
  let running = opening;
  const lines = found.map((r) => {
    const amount = Number(r.amount);
    running += amount;
    return {
      id: Number(r.id),
      date: String(r.entry_date),
      kind: String(r.kind),
      description: String(r.description),
      document_id: r.document_id == null ? null : Number(r.document_id),
      payment_id: r.payment_id == null ? null : Number(r.payment_id),
      debit: amount > 0 ? amount : 0,
      credit: amount < 0 ? -amount : 0,
      balance: running,
    };
  });
  return { customer_id: customerId, from: range.from ?? null, to: range.to ?? null, opening_balance: opening, closing_balance: running, lines };
}
