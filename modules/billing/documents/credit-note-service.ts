import { ConflictError, isDuplicateKey, ValidationError, type ScopedDb } from 'tessera/core';
import { BILLING_EVENTS, type Caller, type CreditNote, type CreditNoteService, type Origin, type StandaloneCreditNoteInput } from '../api';
import type { CatalogServiceImpl } from '../catalog/catalog-service';
import { calendarDay, companyFacts, inTransaction, locking } from '../shared/caller';
import { appendLedger, lockAccount, rows } from '../ledger/account-store';
import { applyToInvoices, netAllocations, openTargets } from '../ledger/allocation';
import { loadDocument } from './document-store';
import { takeNumber } from './invoice-posting';
import { reverseCreditNote } from './credit-note-reversal';

/**
 * Credit notes: posted at once with their journal's next number. A standalone one goes to the
 * customer's LATEST outstanding invoice first, then the next latest; what is left stays as credit
 * that later invoices consume. One against an invoice applies to that invoice only.
 */
export class CreditNoteServiceImpl implements CreditNoteService {
  constructor(private readonly catalog: CatalogServiceImpl) {}

  createStandalone(caller: Caller, input: StandaloneCreditNoteInput): Promise<CreditNote> {
    return inTransaction(caller, async (db) => {
      if (input.origin) {
        const existing = await byOrigin(db, input.origin, false);
        if (existing) return existing;
      }
      try {
        return await this.issue(db, { ...input, invoiceId: null });
      } catch (error) {
        if (input.origin && isDuplicateKey(error)) {
          const existing = await byOrigin(db, input.origin, true);
          if (existing) return existing;
        }
        throw error;
      }
    });
  }

  createForInvoice(caller: Caller, input: { invoiceId: number; amount: number; reason: string; journalId?: number }): Promise<CreditNote> {
    return inTransaction(caller, async (db) => {
      const invoice = await loadDocument(db, input.invoiceId, 'invoice');
      if (invoice.status === 'draft') throw new ConflictError('A draft invoice is edited, not credited');
      return this.issue(db, { customerId: invoice.customer_id, journalId: input.journalId ?? invoice.journal_id, amount: input.amount, reason: input.reason, invoiceId: invoice.id });
    });
  }

  reverse(caller: Caller, id: number, reason: string): Promise<CreditNote> {
    return inTransaction(caller, async (db) => {
      // Reversed by a transaction that committed while this one waited for the lock: only locking reads
      // see that (MariaDB's snapshot is older).
      const outcome = await reverseCreditNote(db, id, reason);
      return loadCreditNote(db, id, outcome === 'already');
    });
  }

  private async issue(db: ScopedDb, input: StandaloneCreditNoteInput & { invoiceId: number | null }): Promise<CreditNote> {
    const errors: Record<string, string> = {};
    if (!Number.isSafeInteger(input.amount) || input.amount <= 0) errors.amount = 'must be a positive amount in minor units';
    if (!String(input.reason ?? '').trim()) errors.reason = 'is required';
    if (!Number.isSafeInteger(input.customerId) || input.customerId <= 0) errors.customer_id = 'must be a customer id';
    if (Object.keys(errors).length) throw new ValidationError(errors);
    const journal = await this.catalog.journal(db, input.journalId);
    const facts = await companyFacts(db);
    const today = calendarDay(facts.timezone);
    await lockAccount(db, input.customerId);
    const targets = input.invoiceId
      ? await openTargets(db, input.customerId, { invoiceIds: [input.invoiceId], order: 'latest' }).catch(() => [])
      : await openTargets(db, input.customerId, { order: 'latest' });
    if (input.invoiceId) {
      const open = targets[0]?.residual ?? 0;
      if (input.amount > open) throw new ValidationError({ amount: `must be at most ${open}, what the invoice still owes` });
    }
    const id = await db.insert('billing_documents', {
      kind: 'credit_note',
      customer_id: input.customerId,
      journal_id: journal.id,
      status: 'posted',
      currency: facts.currency,
      subtotal: input.amount,
      tax: 0,
      total: input.amount,
      residual: input.amount,
      issue_date: today,
      invoice_id: input.invoiceId,
      reason: input.reason.slice(0, 500),
      origin_module: input.origin?.module ?? null,
      origin_key: input.origin?.key ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      posted_at: new Date(),
    });
    const number = await takeNumber(db, journal.id, today);
    const applied = await applyToInvoices(db, input.customerId, { kind: 'credit_note', id }, input.amount, targets);
    const unapplied = input.amount - applied.reduce((sum, a) => sum + a.amount, 0);
    await rows(db)('billing_documents').where({ id }).update({ number, residual: unapplied });
    await appendLedger(db, input.customerId, [{ kind: 'credit_note', amount: -input.amount, date: today, description: `Credit note ${number}: ${input.reason}`.slice(0, 255), documentId: id }], unapplied);
    await db.publish(BILLING_EVENTS.creditNotePosted, { credit_note_id: id, customer_id: input.customerId, amount: input.amount, applied, origin: input.origin ?? null });
    return loadCreditNote(db, id);
  }
}

async function byOrigin(db: ScopedDb, origin: Origin, lock: boolean): Promise<CreditNote | null> {
  const query = db.queryCompany(db.principal.companyId, 'billing_documents').where({ kind: 'credit_note', origin_module: origin.module, origin_key: origin.key });
  const row = await (lock ? locking(db, query) : query).first('id');
  return row ? loadCreditNote(db, Number(row.id)) : null;
}

export async function loadCreditNote(db: ScopedDb, id: number, latest = false): Promise<CreditNote> {
  const doc = await loadDocument(db, id, 'credit_note', latest);
  return {
    id: doc.id,
    customer_id: doc.customer_id,
    journal_id: doc.journal_id,
    number: doc.number ?? '',
    amount: doc.total,
    currency: doc.currency,
    applied: await netAllocations(db, { kind: 'credit_note', id }, latest),
    unapplied: doc.residual,
    origin: doc.origin,
    status: doc.status === 'cancelled' ? 'reversed' : 'posted',
  };
}
