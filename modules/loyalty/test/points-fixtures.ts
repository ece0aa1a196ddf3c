import type { TestApp, TestUser } from 'tessera/testing';
import type { RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';
import { BILLING, type BillingDocument, type CreditNoteService, type DocumentService, type Journal, type LineInput, type PaymentService } from '../../billing/api';
import { LOYALTY } from '../api';
import type { PointsService } from '../points/points-service';
import type { PointsSettings } from '../points/points-settings';

import { companyWorld, journalsOf, productsOf, uniq } from './company-fixtures';

export { uniq };

/** A company of its own (EUR, UTC): a shop, billing's journals, an item at 100.00 without tax, the points product PTS. */
export interface PointsWorld {
  t: TestApp;
  companyId: number;
  admin: TestUser;
  ctx: RequestContext;
  shop: number;
  journals: { sale: Journal; cash: Journal; discount: Journal };
  points: PointsService;
  customers: CustomerService;
  documents: DocumentService;
  payments: PaymentService;
  creditNotes: CreditNoteService;
}

export async function pointsWorld(options: { t?: TestApp } = {}): Promise<PointsWorld> {
  const base = await companyWorld(options);
  const journals = await journalsOf(base, { sale: ['SAL', 'sale', 'INV/{seq:5}'], cash: ['CSH', 'cash', 'CSH/{seq:5}'], discount: ['DSC', 'discount', 'CN/{seq:4}'] });
  await productsOf(base, [{ code: 'ITEM', name: 'Item', unit_price: 10000 }, { code: 'PTS', name: 'Points', unit_price: 0 }]);
  const { t, companyId, admin, ctx } = base;
  return {
    t,
    companyId,
    admin,
    ctx,
    shop: base.shopId,
    journals,
    points: t.container.get<PointsService>(LOYALTY.Points),
    customers: t.container.get<CustomerService>(CRM.Customers),
    documents: t.container.get<DocumentService>(BILLING.Documents),
    payments: t.container.get<PaymentService>(BILLING.Payments),
    creditNotes: t.container.get<CreditNoteService>(BILLING.CreditNotes),
  };
}

/** Tranche mode 100 points = 5.00, 1 point per euro, product PTS, unless told otherwise. */
export async function enable(w: PointsWorld, patch: Partial<PointsSettings> = {}): Promise<PointsSettings> {
  return w.points.saveSettings(w.ctx, { active: true, card_mandatory: false, ratio_bp: 10000, mode: 'tranche', tranche_points: 100, tranche_value: 500, point_value: 1, product_code: 'PTS', expiry_months: 0, ...patch });
}

export async function makeCustomer(w: PointsWorld): Promise<number> {
  return (await w.customers.create(w.ctx, { first_name: 'Kofi', last_name: uniq('Boateng'), shop_id: w.shop })).id;
}

/** A draft invoice of `amount` (minor units, one ITEM line at that price). */
export async function draft(w: PointsWorld, customerId: number, amount: number, metadata: Record<string, unknown> = {}): Promise<BillingDocument> {
  return w.documents.createInvoice(w.ctx, { customerId, lines: [{ productCode: 'ITEM', quantity: 1, unitPrice: amount }], metadata });
}

/** Posts the invoice and pays it in full in cash: billing publishes `billing.invoice.paid`. */
export async function payInFull(w: PointsWorld, invoice: BillingDocument): Promise<BillingDocument> {
  const posted = invoice.status === 'draft' ? await w.documents.post(w.ctx, invoice.id) : invoice;
  await w.payments.record(w.ctx, { customerId: posted.customer_id, journalId: w.journals.cash.id, amount: posted.total, method: 'cash', reference: uniq('PAY'), invoiceIds: [posted.id] });
  return w.documents.get(w.ctx, posted.id);
}

export async function sell(w: PointsWorld, customerId: number, amount: number, metadata: Record<string, unknown> = {}, lines?: LineInput[]): Promise<BillingDocument> {
  const invoice = lines ? await w.documents.createInvoice(w.ctx, { customerId, lines, metadata }) : await draft(w, customerId, amount, metadata);
  return payInFull(w, invoice);
}

/** Gives a customer points by hand (the ledger's own way in). */
export async function grant(w: PointsWorld, customerId: number, points: number): Promise<void> {
  await w.points.adjust(w.ctx, customerId, points, 'test opening balance');
}

/** Balance on the account row and the ledger's sum, read straight from loyalty's own tables. */
export async function balances(w: PointsWorld, customerId: number): Promise<{ account: number; ledger: number }> {
  const account = await w.t.knex('loyalty_points_accounts').where({ company_id: w.companyId, customer_id: customerId }).first('balance');
  const ledger = await w.t.knex('loyalty_points_ledger').where({ company_id: w.companyId, customer_id: customerId }).sum({ s: 'points' }).first();
  return { account: Number(account?.balance ?? 0), ledger: Number(ledger?.s ?? 0) };
}
