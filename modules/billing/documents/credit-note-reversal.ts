import { ConflictError, ValidationError, type ScopedDb } from 'tessera/core';
import { BILLING_EVENTS } from '../api';
import { calendarDay, companyFacts, locking } from '../shared/caller';
import { appendLedger, lockAccount, rows } from '../ledger/account-store';
import { netAllocations, recordAllocations, type Source } from '../ledger/allocation';
import { loadDocument } from './document-store';

/**
 * Undoes a posted credit note without deleting anything: each invoice it paid (when it was posted, or
 * later as spent credit) gets a counter allocation row and exactly that amount back on its residual;
 * its unapplied part leaves the customer's credit; the ledger gets the amount back as a `reversal`
 * row; the note becomes `cancelled` and `billing.credit_note.reversed` is published in the same
 * transaction. The account lock is taken first (as for every money movement of the customer), then the
 * note is read again locked, so two reversals at once reverse it once; reversing again answers it.
 * Credit of the note that another module consumed (`spendCredit` with `consume`) cannot be given back
 * by billing: that is refused until the consumer has reversed its own use.
 */
export async function reverseCreditNote(db: ScopedDb, id: number, reason: string): Promise<'reversed' | 'already'> {
  const seen = await loadDocument(db, id, 'credit_note');
  await lockAccount(db, seen.customer_id);
  const note = await loadDocument(db, id, 'credit_note', true);
  if (note.status === 'cancelled') return 'already';
  if (note.status !== 'posted') throw new ConflictError(`Credit note ${note.number ?? id} is ${note.status}; only a posted credit note can be reversed`);
  if (!String(reason ?? '').trim()) throw new ValidationError({ reason: 'is required' });
  const source: Source = { kind: 'credit_note', id };
  const consumed = await consumedCredit(db, source);
  if (consumed !== 0) throw new ConflictError(`Credit note ${note.number} gave ${consumed} of credit to another module; that use must be reversed first`);
  const undo = await netAllocations(db, source, true);
  for (const a of undo) {
    // An invoice the note paid in full owes again: it is posted, not paid, from here on.
    await rows(db)('billing_documents')
      .where({ id: a.invoice_id, company_id: db.principal.companyId, kind: 'invoice' })
      .update({ residual: rows(db).raw('residual + ?', [a.amount]), status: 'posted' });
  }
  await recordAllocations(db, note.customer_id, source, undo.map((a) => ({ invoice_id: a.invoice_id, amount: -a.amount })));
  const metadata = { ...note.metadata, reversal_reason: reason.slice(0, 500), reversed_allocations: undo };
  await rows(db)('billing_documents').where({ id, company_id: db.principal.companyId }).update({ status: 'cancelled', residual: 0, metadata: JSON.stringify(metadata) });
  await db.audit({ table: 'billing_documents', recordId: id, action: 'reverse', changes: { status: { from: 'posted', to: 'cancelled' }, reason } });
  const facts = await companyFacts(db);
  await appendLedger(
    db,
    note.customer_id,
    [{ kind: 'reversal', amount: note.total, date: calendarDay(facts.timezone), description: `Reversal of credit note ${note.number}: ${reason}`.slice(0, 255), documentId: id }],
    -note.residual,
  );
  await db.publish(BILLING_EVENTS.creditNoteReversed, {
    credit_note_id: id,
    customer_id: note.customer_id,
    amount: note.total,
    unapplied: note.residual,
    restored: undo,
    origin: note.origin,
    reason: reason.slice(0, 500),
  });
  return 'reversed';
}

/** What of the source went to another module (allocation rows without an invoice), net of reversals. */
async function consumedCredit(db: ScopedDb, source: Source): Promise<number> {
  const query = db.queryCompany(db.principal.companyId, 'billing_allocations').where({ source_kind: source.kind, source_id: source.id }).whereNull('invoice_id');
  const found: Array<Record<string, unknown>> = await locking(db, query).select('amount');
  return found.reduce((sum, r) => sum + Number(r.amount), 0);
}
