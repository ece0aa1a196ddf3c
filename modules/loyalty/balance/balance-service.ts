import { randomUUID } from 'node:crypto';
import { ConflictError, ValidationError, type RequestContext } from 'tessera/core';
import type { Payment, PaymentMethod } from '../../billing/api';
import { BALANCE_JOURNAL_CODE, type BalancePorts } from './balance-ports';
import { LEDGER, balanceRow, move, setCreditLimit } from './balance-store';
import { retryingDeadlocks } from './retry';
import { awaitSpend, forgetSpend } from './spend-answers';

export interface RechargeInput {
  customer_id: number;
  amount: number;
  journal_id: number;
  method: PaymentMethod;
  reference?: string;
  /** `processing` for an online payment confirmed later by billing (`PaymentService.confirm`). */
  status?: 'processing' | 'paid';
}

export interface BalancePaymentInput {
  customer_id: number;
  order_id?: number;
  invoice_id?: number;
  amount: number;
  reference?: string;
}

export interface LedgerLine {
  id: number;
  kind: string;
  amount: number;
  balance_after: number;
  payment_id: number | null;
  order_id: number | null;
  invoice_id: number | null;
  offer_id: number | null;
  reason: string;
  created_at: string | null;
}

export interface BalanceSummary {
  customer_id: number;
  currency: string;
  balance: number;
  credit_limit: number;
  /** What can be spent now: balance + credit limit. */
  available: number;
  ledger: LedgerLine[];
}

const RECHARGE_KINDS = new Set(['cash', 'bank', 'mobile_money']);

/** The prepaid balance's operations for routes and pages; money moves in billing's transactions (see balance-events). */
export class BalanceService {
  constructor(private readonly ports: BalancePorts) {}

  /** Records the recharge as a billing payment (kept as credit, consumed when it posts); same reference, same payment. */
  async recharge(ctx: RequestContext, input: RechargeInput, idempotencyKey?: string): Promise<{ payment: Payment; balance: BalanceSummary }> {
    const errors: Record<string, string> = {};
    if ((input.method as string) === 'credit') errors.method = 'a recharge cannot be paid from the balance or customer credit';
    const reference = input.reference?.trim() || (idempotencyKey ? `RCH-${idempotencyKey}` : '');
    if (!reference) errors.reference = 'is required (or send an Idempotency-Key header)';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    await this.customer(ctx, input.customer_id);
    const journal = await this.ports.catalog().journal(ctx, input.journal_id).catch(() => null);
    if (!journal || Number(journal.company_id) !== ctx.companyId) throw new ValidationError({ journal_id: `journal ${input.journal_id} does not exist` });
    if (journal.code === BALANCE_JOURNAL_CODE) throw new ValidationError({ journal_id: 'is the prepaid balance itself: a recharge cannot be paid from the balance' });
    if (!RECHARGE_KINDS.has(journal.kind)) throw new ValidationError({ journal_id: `must be a cash, bank or mobile money journal (${journal.code} is ${journal.kind})` });
    const payment = await retryingDeadlocks(() => this.ports.payments().record(ctx, {
      customerId: input.customer_id, journalId: journal.id, amount: input.amount, method: input.method, reference, status: input.status ?? 'paid', allocate: false, metadata: { purpose: 'loyalty.recharge', loyalty_recharge: true },
    }));
    if (payment.created === false && (payment.metadata?.loyalty_recharge !== true || payment.customer_id !== input.customer_id || payment.amount !== input.amount)) {
      throw new ConflictError(`Reference ${reference} is already another payment of journal ${journal.code}`);
    }
    return { payment, balance: await this.summary(ctx, input.customer_id, 0) };
  }

  /**
   * Pays part or all of a posted invoice or an order from the balance: a billing payment in loyalty's
   * journal (allocated to the invoice; for an order, kept as the customer's billing credit until the
   * order is invoiced), whose posting debits the balance by the guarded update in the same transaction.
   */
  async pay(ctx: RequestContext, input: BalancePaymentInput, idempotencyKey?: string): Promise<{ payment: Payment; balance: BalanceSummary }> {
    if ((input.order_id == null) === (input.invoice_id == null)) throw new ValidationError({ order_id: 'give either order_id or invoice_id' });
    const reference = input.reference?.trim() || (idempotencyKey ? `BAL-${idempotencyKey}` : '');
    if (!reference) throw new ValidationError({ reference: 'is required (or send an Idempotency-Key header)' });
    if (input.invoice_id != null) return this.payInvoice(ctx, input, Number(input.invoice_id), reference);
    // No separate customer lookup: the order, visible only inside the caller's company, must be this customer's.
    const id = Number(input.order_id);
    // The document's header alone (its lines are not needed to check it): one read fewer per spend.
    const doc = await this.ports.documents().get(ctx, id, { lines: false }).catch(() => null);
    if (!doc || doc.kind !== 'order') throw new ValidationError({ order_id: `order ${id} does not exist` });
    if (doc.customer_id !== input.customer_id) throw new ValidationError({ order_id: `belongs to another customer than ${input.customer_id}` });
    const journal = await this.ports.balanceJournal(ctx.db, ctx.companyId);
    if (doc.status === 'cancelled' || doc.delivery_status === 'cancelled') throw new ValidationError({ order_id: `order ${id} is cancelled` });
    const paid = -Number((await ctx.db.queryCompany(ctx.companyId, LEDGER).where({ order_id: id }).whereIn('kind', ['payment', 'payment_reversed']).sum({ s: 'amount' }).first())?.s ?? 0);
    if (input.amount > doc.total - paid) throw new ValidationError({ amount: `must be at most ${doc.total - paid}, what the order still owes` });
    const payment = await retryingDeadlocks(() => this.ports.payments().record(ctx, {
      customerId: input.customer_id, journalId: journal.id, amount: input.amount, method: 'credit', reference, status: 'paid', allocate: false,
      metadata: { purpose: 'loyalty.balance', loyalty_balance_payment: true, order_id: id },
    }));
    return { payment, balance: await this.summary(ctx, input.customer_id, 0) };
  }

  /**
   * A spend on an invoice, without reading it first: billing's guarded update on the invoice (this
   * customer's, posted, owing at least the amount: `wholly`) decides, and only a refusal reads the
   * invoice, to say why as the checks before it did. The balance after the spend comes from the
   * spend's handler, read in billing's transaction and sent with its COMMIT.
   */
  private async payInvoice(ctx: RequestContext, input: BalancePaymentInput, id: number, reference: string): Promise<{ payment: Payment; balance: BalanceSummary }> {
    if (!Number.isSafeInteger(id) || id <= 0) throw new ValidationError({ invoice_id: `invoice ${id} does not exist` });
    const journal = await this.ports.balanceJournal(ctx.db, ctx.companyId);
    const answer = awaitSpend(ctx.companyId, reference);
    try {
      const payment = await retryingDeadlocks(() => this.ports.payments().record(ctx, {
        customerId: input.customer_id, journalId: journal.id, amount: input.amount, method: 'credit', reference, status: 'paid', invoiceIds: [id], wholly: true,
        metadata: { purpose: 'loyalty.balance', loyalty_balance_payment: true, invoice_id: id },
      })).catch(async (error: unknown) => {
        if (error instanceof ValidationError) await this.refuseInvoice(ctx, input, id);
        throw error;
      });
      // The answer of the attempt that committed (not of one rolled back), if the spend's handler gave one.
      const spent = payment.created !== false && answer.paymentId === payment.id ? await answer.balance?.catch(() => null) : null;
      return { payment, balance: spent ? this.summaryOf(ctx, input.customer_id, spent, []) : await this.summary(ctx, input.customer_id, 0) };
    } finally {
      forgetSpend(answer);
    }
  }

  /** Why billing refused a spend on the invoice, as the checks made before recording it say it; nothing when they pass. */
  private async refuseInvoice(ctx: RequestContext, input: BalancePaymentInput, id: number): Promise<void> {
    const doc = await this.ports.documents().get(ctx, id, { lines: false }).catch(() => null);
    if (!doc || doc.kind !== 'invoice') throw new ValidationError({ invoice_id: `invoice ${id} does not exist` });
    if (doc.customer_id !== input.customer_id) throw new ValidationError({ invoice_id: `belongs to another customer than ${input.customer_id}` });
    if (doc.status !== 'posted') throw new ValidationError({ invoice_id: `invoice ${doc.number ?? id} is ${doc.status}, not open` });
    if (input.amount > doc.residual) throw new ValidationError({ amount: `must be at most ${doc.residual}, what the invoice still owes` });
  }

  /** A manual adjustment with its reason; a debit is guarded like a spend. Idempotent by key when one is given. */
  async adjust(ctx: RequestContext, customerId: number, amount: number, reason: string, key?: string): Promise<BalanceSummary> {
    if (!String(reason ?? '').trim()) throw new ValidationError({ reason: 'is required' });
    if (!Number.isSafeInteger(amount) || amount === 0) throw new ValidationError({ amount: 'must be a non-zero amount in minor units' });
    await this.customer(ctx, customerId);
    const sourceKey = `adjustment:${key ?? randomUUID()}`;
    await retryingDeadlocks(() => ctx.db.transaction((db) => move(db, { companyId: ctx.companyId, customerId, kind: 'adjustment', amount, guard: amount < 0 ? 'limit' : 'none', sourceKey, reason: reason.trim() })));
    return this.summary(ctx, customerId);
  }

  async setCreditLimit(ctx: RequestContext, customerId: number, limit: number): Promise<BalanceSummary> {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new ValidationError({ credit_limit: 'must be zero or a positive amount in minor units' });
    await this.customer(ctx, customerId);
    await retryingDeadlocks(() => ctx.db.transaction((db) => setCreditLimit(db, ctx.companyId, customerId, limit)));
    return this.summary(ctx, customerId);
  }

  /**
   * The balance and its latest `limit` ledger lines (newest first), each with the balance right after
   * it. Answers to a recharge or a spend pass 0: the new balance only, one indexed read.
   */
  async summary(ctx: RequestContext, customerId: number, limit = 200): Promise<BalanceSummary> {
    const row = await balanceRow(ctx.db, ctx.companyId, customerId);
    const lines = limit > 0 ? ((await ctx.db.queryCompany(ctx.companyId, LEDGER).where({ customer_id: customerId }).orderBy('id', 'desc').limit(limit)) as Array<Record<string, unknown>>) : [];
    return this.summaryOf(ctx, customerId, row, lines);
  }

  private summaryOf(ctx: RequestContext, customerId: number, row: { balance: number; credit_limit: number } | null, lines: Array<Record<string, unknown>>): BalanceSummary {
    const currency = ctx.principal.companies?.find((c) => c.id === ctx.companyId)?.currency ?? 'EUR';
    const balance = row?.balance ?? 0;
    const creditLimit = row?.credit_limit ?? 0;
    return { customer_id: customerId, currency, balance, credit_limit: creditLimit, available: balance + creditLimit, ledger: lines.map(toLine) };
  }

  /** For the API: a customer the caller cannot see (another company's) is a 404, not an empty balance. */
  async summaryOfVisible(ctx: RequestContext, customerId: number): Promise<BalanceSummary> {
    await this.ports.customers().get(ctx, customerId);
    return this.summary(ctx, customerId);
  }

  private async customer(ctx: RequestContext, id: number): Promise<void> {
    const found = await this.ports.customers().get(ctx, id).catch(() => null);
    if (!found) throw new ValidationError({ customer_id: `customer ${id} does not exist` });
  }
}

export function toLine(r: Record<string, unknown>): LedgerLine {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const at = r.created_at instanceof Date ? r.created_at.toISOString() : r.created_at ? new Date(r.created_at as string | number).toISOString() : null;
  return { id: Number(r.id), kind: String(r.kind), amount: Number(r.amount), balance_after: Number(r.balance_after), payment_id: n(r.payment_id), order_id: n(r.order_id), invoice_id: n(r.invoice_id), offer_id: n(r.offer_id), reason: String(r.reason ?? ''), created_at: at };
}

