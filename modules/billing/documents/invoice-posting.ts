import { ConflictError, ValidationError, type ScopedDb } from 'tessera/core';
import { BILLING_EVENTS, type BillingDocument } from '../api';
import { appendLedger, lockAccount, rows } from '../ledger/account-store';
import { spendFromCredit } from '../ledger/credit';
import { Sequences } from 'tessera/core';
import { loadDocument } from './document-store';

/** The sequence a journal numbers its documents from: gap-free per company and journal. */
export function journalSequence(journalId: number): string {
  return `billing.journal.${journalId}`;
}

/** Number from the journal's sequence, formatted on the document's calendar day. */
export async function takeNumber(db: ScopedDb, journalId: number, issueDate: string): Promise<string> {
  const journal = await db.queryCompany(db.principal.companyId, 'billing_journals').where({ id: journalId }).first('number_format');
  const value = await db.nextNumber(journalSequence(journalId));
  return Sequences.format(String(journal?.number_format ?? '{seq:6}'), value, new Date(`${issueDate}T12:00:00Z`));
}

/**
 * Posts a draft invoice: the customer's account is locked first (the order every money movement
 * takes), the invoice gets the next number of its journal, its total goes to the ledger, the
 * customer's available credit pays it at once, and `billing.invoice.posted` is published in the
 * same transaction. Posting a posted invoice answers it unchanged.
 */
export async function postInvoice(db: ScopedDb, invoiceId: number): Promise<BillingDocument> {
  const draft = await loadDocument(db, invoiceId, 'invoice');
  if (draft.status !== 'draft') return draft;
  const account = await lockAccount(db, draft.customer_id);
  const doc = await loadDocument(db, invoiceId, 'invoice', true);
  if (doc.status !== 'draft') return doc;
  if (!doc.lines?.length) throw new ValidationError({ lines: 'an invoice needs at least one line to be posted' });
  if (doc.total < 0) throw new ConflictError('An invoice cannot total less than 0; make a credit note instead', { total: 'is negative' });
  const number = await takeNumber(db, doc.journal_id, doc.issue_date);
  await rows(db)('billing_documents').where({ id: doc.id, company_id: db.principal.companyId }).update({ number, status: 'posted', residual: doc.total, posted_at: new Date() });
  await db.audit({ table: 'billing_documents', recordId: doc.id, action: 'post', changes: { number, total: doc.total } });
  await appendLedger(db, doc.customer_id, [{ kind: 'invoice', amount: doc.total, date: doc.issue_date, description: `Invoice ${number}`, documentId: doc.id }]);
  await db.publish(BILLING_EVENTS.invoicePosted, {
    invoice_id: doc.id,
    customer_id: doc.customer_id,
    number,
    total: doc.total,
    currency: doc.currency,
    lines: (doc.lines ?? []).map((l) => ({ product_code: l.product_code, quantity: l.quantity, amount: l.amount })),
    origin: doc.origin,
  });
  if (account.credit > 0 && doc.total > 0) {
    const target = { id: doc.id, residual: doc.total, total: doc.total };
    const { spent } = await spendFromCredit(db, doc.customer_id, Math.min(account.credit, doc.total), [target]);
    if (spent) await appendLedger(db, doc.customer_id, [], -spent);
  }
  if (doc.total === 0) await rows(db)('billing_documents').where({ id: doc.id }).update({ status: 'paid' });
  return loadDocument(db, doc.id);
}
