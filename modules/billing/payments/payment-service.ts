import type { Knex } from 'knex';
import { ConflictError, isDuplicateKey, sentTogether, ValidationError, type ScopedDb } from 'tessera/core';
import { BILLING_EVENTS, type Allocation, type Caller, type Journal, type Payment, type PaymentService, type RecordPaymentInput } from '../api';
import type { CatalogServiceImpl } from '../catalog/catalog-service';
import { calendarDay, companyFacts, dbOf, inTransaction, isContext } from '../shared/caller';
import { appendLedger, forgetAccount, knownAccountMove, lockAccount, lockAccountMovingBalance, rows } from '../ledger/account-store';
import { netAllocations, openTargetsFrom, openTargetsQuery, recordAllocations, takeLockedResiduals } from '../ledger/allocation';
import { loadPayment, paymentByReference, PAYMENT_METHODS } from './payment-store';

/**
 * Payments: the reference is unique per company and journal, so recording it again answers the
 * payment already there (`created: false`). Only paid money moves the ledger; becoming paid allocates
 * it (oldest invoice first, or the invoices picked), keeps the rest as credit and publishes
 * `billing.payment.posted` in the same transaction: a handler that throws rolls the payment back.
 */
export class PaymentServiceImpl implements PaymentService {
  constructor(private readonly catalog: CatalogServiceImpl) {}

  /**
   * `checkCustomer` (the API's check that the id names a customer of crm, given the transaction's
   * data access: SQLite's one connection is the transaction's) runs only when the customer
   * has no billing account yet: an account means billing money, and crm's deletion guard
   * (`refuseDeletingBilledCustomer`) keeps such a customer, so the check would read what is known.
   */
  async record(caller: Caller, input: RecordPaymentInput, options: { checkCustomer?: (db: ScopedDb) => Promise<void> } = {}): Promise<Payment> {
    checkInput(input);
    try {
      return await this.recordOnce(caller, input, options.checkCustomer);
    } catch (error) {
      if (!(error instanceof DuplicateReference)) throw error;
      // Another request recorded this reference first and committed: this transaction was undone, read it afresh.
      const existing = await paymentByReference(dbOf(caller), input.journalId, input.reference.trim(), false);
      if (!existing) throw error.cause;
      return { ...existing, created: false };
    }
  }

  private recordOnce(caller: Caller, input: RecordPaymentInput, checkCustomer?: (db: ScopedDb) => Promise<void>): Promise<Payment> {
    return inTransaction(caller, async (db) => {
      // No read first: the unique key (company, journal, reference) answers whether it is new.
      const reference = input.reference.trim();
      const journal = await this.catalog.journal(db, input.journalId);
      if (!journal.active) throw new ValidationError({ journal_id: `journal ${journal.code} is inactive` });
      const paid = (input.status ?? 'paid') === 'paid';
      // billing owns this transaction when called with a context: a paid payment moves the balance as it
      // takes the account lock (the ledger row of the same amount follows in `posted`).
      const fast = paid && isContext(caller);
      // An account seen in this process: its balance move travels with allocate's first statement.
      const move = fast ? knownAccountMove(db, input.customerId, -input.amount) : null;
      const moveSafely = () => lockAccountMovingBalance(db, input.customerId, -input.amount, checkCustomer && (() => checkCustomer(db)));
      if (fast && !move) await moveSafely();
      else if (!fast) {
        await checkCustomer?.(db);
        await lockAccount(db, input.customerId);
      }
      const facts = await companyFacts(db);
      const paidAt = input.paidAt ? new Date(input.paidAt) : new Date();
      const row = {
        customer_id: input.customerId, journal_id: journal.id, amount: input.amount, currency: facts.currency, method: input.method, reference,
        allocate: input.allocate !== false, invoice_ids: input.invoiceIds?.length ? JSON.stringify(input.invoiceIds) : null, metadata: JSON.stringify(input.metadata ?? {}),
      };
      const payment: Payment = {
        id: 0, company_id: db.principal.companyId, customer_id: input.customerId, journal_id: journal.id, amount: input.amount, currency: facts.currency,
        method: input.method, reference, status: 'processing', unallocated: 0, allocations: [], metadata: input.metadata ?? {}, created: true,
      };
      if (fast) {
        // billing owns this transaction, so a duplicate reference undoes all of it: allocate first and
        // write the payment once, already paid, instead of writing it processing and updating it.
        const { allocations, unallocated, moved, settled } = await this.allocate(db, payment, input.invoiceIds ?? null, input.allocate !== false, move, input.wholly === true);
        if (moved === false) {
          // The account was not there after all (another database in this process: tests): the safe way.
          forgetAccount(db, input.customerId);
          await moveSafely();
        }
        try {
          payment.id = await db.insert('billing_payments', { ...row, status: 'paid', unallocated, paid_date: calendarDay(facts.timezone, paidAt), paid_at: paidAt });
        } catch (error) {
          if (isDuplicateKey(error)) throw new DuplicateReference(error);
          throw error;
        }
        await settled();
        await recordAllocations(db, payment.customer_id, { kind: 'payment', id: payment.id }, allocations);
        return this.posted(db, payment, journal, allocations, unallocated, paidAt, true);
      }
      try {
        payment.id = await db.insert('billing_payments', { ...row, status: 'processing', unallocated: 0 });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        if (isContext(caller)) throw new DuplicateReference(error);
        // Inside someone else's transaction: a locking read sees the committed payment.
        const existing = await paymentByReference(db, input.journalId, reference, true);
        if (!existing) throw error;
        return { ...existing, created: false };
      }
      if (!paid) return payment;
      // The payment was just written in this transaction: settle it from what is known, without reading it back.
      return this.settle(db, payment, journal, input.invoiceIds ?? null, input.allocate !== false, paidAt, input.wholly === true);
    });
  }

  /**
   * Takes the payment's money off open invoices (oldest first, or the ones picked); the rest is credit.
   * The caller holds the account lock, or gives its balance move (`move`): sent first in one packet with
   * the first statement here, it takes that lock before the invoices' (`moved`: whether it found the
   * account). The residuals taken from locked invoices travel with the caller's next statement: call
   * `settled` after it.
   */
  private async allocate(db: ScopedDb, payment: Payment, invoiceIds: number[] | null, allocate: boolean, move: Knex.QueryBuilder | null = null, wholly = false): Promise<Allocated> {
    const together = async (statement: Knex.QueryBuilder): Promise<[boolean | null, unknown]> => {
      if (!move) return [null, await statement];
      const [changed, result] = await sentTogether<[number, unknown]>(move as unknown as PromiseLike<number> & Knex.QueryBuilder, statement);
      move = null;
      return [Number(changed) === 1, result];
    };
    let moved: boolean | null = null;
    if (allocate && invoiceIds?.length === 1) {
      const take = takeFromOpenInvoice(db, payment.customer_id, Number(invoiceIds[0]), payment.amount);
      if (take) {
        const [accountMoved, changed] = await together(take);
        moved = accountMoved;
        if (Number(changed) === 1) return { allocations: [{ invoice_id: Number(invoiceIds[0]), amount: payment.amount }], unallocated: 0, moved, settled: noop };
      }
    }
    if (!allocate) {
      if (move) moved = Number(await move) === 1;
      return { allocations: [], unallocated: payment.amount, moved, settled: noop };
    }
    const options = { invoiceIds, order: 'oldest' as const };
    const [accountMoved, found] = await together(openTargetsQuery(db, payment.customer_id, options));
    moved = moved ?? accountMoved;
    const targets = openTargetsFrom(found as Array<Record<string, unknown>>, options);
    const owed = targets.reduce((sum, t) => sum + t.residual, 0);
    if (wholly && invoiceIds?.length && owed < payment.amount) throw new ValidationError({ amount: `must be at most ${owed}, what the invoices still owe` });
    const { allocations, settled } = await takeLockedResiduals(db, payment.customer_id, payment.amount, targets);
    return { allocations, unallocated: payment.amount - allocations.reduce((sum, a) => sum + a.amount, 0), moved, settled };
  }

  /** processing → paid for a payment already written: allocations, its row, then `posted`. The caller holds the account lock. */
  private async settle(db: ScopedDb, payment: Payment, journal: Journal, invoiceIds: number[] | null, allocate: boolean, paidAt: Date, wholly = false): Promise<Payment> {
    const { allocations, unallocated, settled } = await this.allocate(db, payment, invoiceIds, allocate, null, wholly);
    await recordAllocations(db, payment.customer_id, { kind: 'payment', id: payment.id }, allocations);
    const facts = await companyFacts(db);
    await rows(db)('billing_payments').where({ id: payment.id, company_id: db.principal.companyId }).update({ status: 'paid', unallocated, paid_date: calendarDay(facts.timezone, paidAt), paid_at: paidAt });
    await settled();
    return this.posted(db, payment, journal, allocations, unallocated, paidAt);
  }

  /** A paid payment's ledger row, the credit it leaves, and `billing.payment.posted` (same transaction). */
  private async posted(db: ScopedDb, payment: Payment, journal: Journal, allocations: Allocation[], unallocated: number, paidAt: Date, balanceMoved = false): Promise<Payment> {
    const facts = await companyFacts(db);
    const today = calendarDay(facts.timezone, paidAt);
    await appendLedger(db, payment.customer_id, [{ kind: 'payment', amount: -payment.amount, date: today, description: `Payment ${payment.reference} (${journal.code})`, paymentId: payment.id }], unallocated, { balanceMoved });
    await db.publish(BILLING_EVENTS.paymentPosted, {
      payment_id: payment.id,
      customer_id: payment.customer_id,
      journal_id: journal.id,
      journal_code: journal.code,
      amount: payment.amount,
      currency: payment.currency,
      method: payment.method,
      reference: payment.reference,
      allocations,
      metadata: payment.metadata,
      paid_at: paidAt.toISOString(),
    });
    return { ...payment, status: 'paid', unallocated, allocations, paid_at: paidAt.toISOString() };
  }

  confirm(caller: Caller, id: number): Promise<Payment> {
    return inTransaction(caller, async (db) => {
      const seen = await loadPayment(db, id);
      await lockAccount(db, seen.customer_id);
      const payment = await loadPayment(db, id, true);
      if (payment.status === 'paid') return payment;
      if (payment.status !== 'processing') throw new ConflictError(`Payment ${payment.reference} is ${payment.status}; only a processing payment can be confirmed`);
      const row = await db.queryCompany(db.principal.companyId, 'billing_payments').where({ id }).first('invoice_ids', 'allocate');
      const invoiceIds = row?.invoice_ids ? (JSON.parse(String(row.invoice_ids)) as number[]) : null;
      await this.settle(db, payment, await this.catalog.journal(db, payment.journal_id), invoiceIds, Boolean(row?.allocate), new Date());
      await db.audit({ table: 'billing_payments', recordId: id, action: 'confirm', changes: { status: { from: 'processing', to: 'paid' } } });
      return loadPayment(db, id);
    });
  }

  fail(caller: Caller, id: number): Promise<Payment> {
    return inTransaction(caller, async (db) => {
      const payment = await loadPayment(db, id, true);
      if (payment.status === 'failed') return payment;
      if (payment.status !== 'processing') throw new ConflictError(`Payment ${payment.reference} is ${payment.status}; only a processing payment can fail`);
      await db.update('billing_payments', id, { status: 'failed' });
      return loadPayment(db, id);
    });
  }

  /**
   * paid → reversed: every allocation gets its counter row and the invoices their residual back, the
   * credit it left is withdrawn, the ledger gets the amount back, and `billing.payment.reversed` lets
   * the modules that reacted undo what they did. Reversing twice answers the reversed payment.
   */
  reverse(caller: Caller, id: number, reason: string): Promise<Payment> {
    return inTransaction(caller, async (db) => {
      const seen = await loadPayment(db, id);
      await lockAccount(db, seen.customer_id);
      const payment = await loadPayment(db, id, true);
      if (payment.status === 'reversed') return payment;
      if (payment.status !== 'paid') throw new ConflictError(`Payment ${payment.reference} is ${payment.status}; only a paid payment can be reversed`);
      if (!String(reason ?? '').trim()) throw new ValidationError({ reason: 'is required' });
      const source = { kind: 'payment' as const, id };
      const undo = await netAllocations(db, source, true);
      for (const a of undo) {
        await rows(db)('billing_documents')
          .where({ id: a.invoice_id, company_id: db.principal.companyId })
          .update({ residual: rows(db).raw('residual + ?', [a.amount]), status: 'posted' });
      }
      await recordAllocations(db, payment.customer_id, source, undo.map((a) => ({ invoice_id: a.invoice_id, amount: -a.amount })));
      const facts = await companyFacts(db);
      await rows(db)('billing_payments').where({ id }).update({ status: 'reversed', unallocated: 0, reversal_reason: reason.slice(0, 500) });
      await db.audit({ table: 'billing_payments', recordId: id, action: 'reverse', changes: { reason } });
      await appendLedger(db, payment.customer_id, [{ kind: 'reversal', amount: payment.amount, date: calendarDay(facts.timezone), description: `Reversal of payment ${payment.reference}: ${reason}`, paymentId: id }], -payment.unallocated);
      await db.publish(BILLING_EVENTS.paymentReversed, { payment_id: id, customer_id: payment.customer_id, amount: payment.amount, reference: payment.reference, metadata: payment.metadata });
      return loadPayment(db, id);
    });
  }

  get(caller: Caller, id: number): Promise<Payment> {
    return loadPayment(dbOf(caller), id);
  }
}

/**
 * One picked invoice that owes more than the payment (a spend from the balance, a gateway paying an
 * invoice in part): the guarded update alone (returned unsent) takes the amount, without reading the invoice first. It
 * changes the row only when the invoice is this customer's, posted, and still owes more than the
 * amount afterwards, so it stays posted and nothing else follows; otherwise nothing changed and the
 * general path (locking read, pay-off, refusal naming the invoice) decides.
 */
function takeFromOpenInvoice(db: ScopedDb, customerId: number, invoiceId: number, amount: number): Knex.QueryBuilder | null {
  if (!Number.isSafeInteger(invoiceId) || invoiceId <= 0) return null;
  return rows(db)('billing_documents')
    .where({ id: invoiceId, company_id: db.principal.companyId, customer_id: customerId, kind: 'invoice', status: 'posted' })
    .where('residual', '>', amount)
    .update({ residual: rows(db).raw('residual - ?', [amount]) }) as unknown as Knex.QueryBuilder;
}

interface Allocated {
  allocations: Allocation[];
  unallocated: number;
  /** Whether the balance move given to `allocate` found the account; null when none was given. */
  moved: boolean | null;
  /** To call once the next statement is sent: checks the residuals taken with it (see `takeLockedResiduals`). */
  settled: () => Promise<void>;
}

const noop = async (): Promise<void> => undefined;

function checkInput(input: RecordPaymentInput): void {
  const errors: Record<string, string> = {};
  if (!Number.isSafeInteger(input.customerId) || input.customerId <= 0) errors.customer_id = 'must be a customer id';
  if (!Number.isSafeInteger(input.journalId) || input.journalId <= 0) errors.journal_id = 'must be a journal id';
  if (!Number.isSafeInteger(input.amount) || input.amount <= 0) errors.amount = 'must be a positive amount in minor units';
  if (!PAYMENT_METHODS.includes(input.method)) errors.method = `must be one of ${PAYMENT_METHODS.join(', ')}`;
  if (typeof input.reference !== 'string' || !input.reference.trim() || input.reference.length > 120) errors.reference = 'must be 1 to 120 characters';
  if (input.status !== undefined && input.status !== 'processing' && input.status !== 'paid') errors.status = 'must be processing or paid';
  if (input.paidAt !== undefined) {
    const at = typeof input.paidAt === 'string' ? Date.parse(input.paidAt) : NaN;
    // A little clock skew between a till and the server is tolerated; a payment dated tomorrow is not.
    if (!Number.isFinite(at)) errors.paid_at = 'must be an ISO 8601 date-time';
    else if (at > Date.now() + 5 * 60_000) errors.paid_at = 'must not be in the future';
  }
  if (Object.keys(errors).length) throw new ValidationError(errors);
}

/** The reference was taken by a transaction that committed while this one ran. */
class DuplicateReference extends Error {
  constructor(override readonly cause: unknown) {
    super('payment reference already recorded');
  }
}
