import { ConflictError, isDuplicateKey, ValidationError, type ScopedDb } from 'tessera/core';
import type { BillingDocument, Caller, CreateDocumentInput, DeliveryStatus, DocumentKind, DocumentService, LineInput } from '../api';
import type { CatalogServiceImpl } from '../catalog/catalog-service';
import { addDays, calendarDay, companyFacts, dbOf, inTransaction, locking } from '../shared/caller';
import { profileOf } from '../ledger/profile-store';
import { prepareLines, storeLines } from './document-lines';
import { linesOf, loadDocument, toDocument } from './document-store';
import { postInvoice } from './invoice-posting';
import { convertQuote, invoiceOrder, refundOrder, setDeliveryStatus } from './document-flow';
import { linesRemoved, publishLinesRemoved } from './removed-lines';

/** Quotes, orders and invoices: made from lines priced by product code, posted, converted. */
export class DocumentServiceImpl implements DocumentService {
  constructor(private readonly catalog: CatalogServiceImpl) {}

  createInvoice(caller: Caller, input: CreateDocumentInput): Promise<BillingDocument> {
    return this.create(caller, 'invoice', input);
  }

  createQuote(caller: Caller, input: CreateDocumentInput): Promise<BillingDocument> {
    return this.create(caller, 'quote', { ...input, post: false });
  }

  createOrder(caller: Caller, input: CreateDocumentInput): Promise<BillingDocument> {
    return this.create(caller, 'order', { ...input, post: false });
  }

  private create(caller: Caller, kind: DocumentKind, input: CreateDocumentInput): Promise<BillingDocument> {
    return inTransaction(caller, async (db) => {
      if (input.origin) {
        const existing = await this.byOrigin(db, input.origin, false);
        if (existing) return existing;
      }
      try {
        return await this.insert(db, kind, input);
      } catch (error) {
        // Another run made the document of this origin first: answer it.
        if (input.origin && isDuplicateKey(error)) {
          const existing = await this.byOrigin(db, input.origin, true);
          if (existing) return existing;
        }
        throw error;
      }
    });
  }

  private async byOrigin(db: ScopedDb, origin: { module: string; key: string }, lock: boolean): Promise<BillingDocument | null> {
    const query = db.queryCompany(db.principal.companyId, 'billing_documents').where({ origin_module: origin.module, origin_key: origin.key });
    const row = await (lock ? locking(db, query) : query).first('id');
    return row ? loadDocument(db, Number(row.id)) : null;
  }

  private async insert(db: ScopedDb, kind: DocumentKind, input: CreateDocumentInput): Promise<BillingDocument> {
    if (!Number.isSafeInteger(input.customerId) || input.customerId <= 0) throw new ValidationError({ customer_id: 'must be a customer id' });
    const journal = input.journalId ? await this.catalog.journal(db, input.journalId) : await this.catalog.firstOfKind(db, 'sale');
    if (!journal.active) throw new ValidationError({ journal_id: `journal ${journal.code} is inactive` });
    const facts = await companyFacts(db);
    const profile = await profileOf(db, input.customerId);
    const lines = await prepareLines(db, this.catalog, input.lines ?? [], profile.tax_exempt);
    const today = calendarDay(facts.timezone);
    if (input.dueDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(input.dueDate)) throw new ValidationError({ due_date: 'must be a day YYYY-MM-DD' });
    const id = await db.insert('billing_documents', {
      kind,
      customer_id: input.customerId,
      journal_id: journal.id,
      status: 'draft',
      currency: facts.currency,
      tax_exempt: profile.tax_exempt,
      issue_date: today,
      due_date: kind === 'invoice' ? (input.dueDate ?? addDays(today, profile.payment_terms_days)) : null,
      delivery_status: kind === 'order' ? 'preparing' : null,
      origin_module: input.origin?.module ?? null,
      origin_key: input.origin?.key ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
    });
    const totals = await storeLines(db, id, lines);
    await this.setTotals(db, id, totals);
    if (kind === 'invoice' && input.post) return postInvoice(db, id);
    return loadDocument(db, id);
  }

  private async setTotals(db: ScopedDb, id: number, totals: { subtotal: number; tax: number; amount: number }): Promise<void> {
    await db
      .unscoped('totals of a document the caller just locked or made')
      .table('billing_documents')
      .where({ id, company_id: db.principal.companyId })
      .update({ subtotal: totals.subtotal, tax: totals.tax, total: totals.amount, residual: totals.amount });
  }

  addLine(caller: Caller, documentId: number, line: LineInput): Promise<BillingDocument> {
    return inTransaction(caller, async (db) => {
      const doc = await loadDocument(db, documentId, undefined, true);
      const editable = (doc.kind === 'invoice' || doc.kind === 'quote') ? doc.status === 'draft' : doc.kind === 'order' && doc.status === 'draft';
      if (!editable) throw new ConflictError(`${doc.kind} ${doc.number ?? doc.id} is ${doc.status}: lines can only be added to a draft`);
      const [prepared] = await prepareLines(db, this.catalog, [line], doc.tax_exempt);
      const last = await locking(db, db.queryCompany(db.principal.companyId, 'billing_document_lines').where({ document_id: doc.id })).max({ position: 'position' }).first();
      const totals = await storeLines(db, doc.id, [prepared], Number(last?.position ?? 0));
      await this.setTotals(db, doc.id, totals);
      await db.audit({ table: 'billing_documents', recordId: doc.id, action: 'add_line', changes: { product_code: prepared.product_code, quantity: prepared.quantity, amount: prepared.amount } });
      return loadDocument(db, doc.id);
    });
  }

  /** Replaces every line of a draft (the invoice form's save). */
  replaceLines(caller: Caller, documentId: number, lines: LineInput[]): Promise<BillingDocument> {
    return inTransaction(caller, async (db) => {
      const doc = await loadDocument(db, documentId, undefined, true);
      if (doc.status !== 'draft') throw new ConflictError(`${doc.kind} ${doc.number ?? doc.id} is ${doc.status}: only a draft can be edited`);
      const prepared = await prepareLines(db, this.catalog, lines, doc.tax_exempt);
      await db.unscoped('lines of a draft being replaced').table('billing_document_lines').where({ document_id: doc.id, company_id: db.principal.companyId }).delete();
      await this.setTotals(db, doc.id, await storeLines(db, doc.id, prepared));
      await db.audit({ table: 'billing_documents', recordId: doc.id, action: 'edit_lines', changes: { lines: prepared.length } });
      const edited = await loadDocument(db, doc.id);
      await publishLinesRemoved(db, edited, linesRemoved(doc.lines ?? [], edited.lines ?? []), 'edited');
      return edited;
    });
  }

  post(caller: Caller, invoiceId: number): Promise<BillingDocument> {
    return inTransaction(caller, (db) => postInvoice(db, invoiceId));
  }

  async openInvoices(caller: Caller, customerId: number): Promise<BillingDocument[]> {
    const db = dbOf(caller);
    const found = await db
      .queryCompany(db.principal.companyId, 'billing_documents')
      .where({ customer_id: customerId, kind: 'invoice', status: 'posted' })
      .where('residual', '>', 0)
      .orderBy('issue_date')
      .orderBy('id');
    return found.map((row: Record<string, unknown>) => toDocument(row));
  }

  get(caller: Caller, id: number, options: { lines?: boolean } = {}): Promise<BillingDocument> {
    return loadDocument(dbOf(caller), id, undefined, false, options.lines !== false);
  }

  getOfKind(caller: Caller, id: number, kind: DocumentKind): Promise<BillingDocument> {
    return loadDocument(dbOf(caller), id, kind);
  }

  convertQuote(caller: Caller, quoteId: number, to: 'order' | 'invoice'): Promise<BillingDocument> {
    return inTransaction(caller, (db) => convertQuote(db, quoteId, to));
  }

  invoiceOrder(caller: Caller, orderId: number): Promise<BillingDocument> {
    return inTransaction(caller, (db) => invoiceOrder(db, orderId));
  }

  setDeliveryStatus(caller: Caller, orderId: number, status: DeliveryStatus): Promise<BillingDocument> {
    return inTransaction(caller, (db) => setDeliveryStatus(db, orderId, status));
  }

  refundOrder(caller: Caller, orderId: number, amount: number, reason: string): Promise<BillingDocument> {
    return inTransaction(caller, (db) => refundOrder(db, orderId, amount, reason));
  }

  lines(caller: Caller, documentId: number) {
    return linesOf(dbOf(caller), documentId);
  }
}
