import crypto from 'node:crypto';
import { startTestApp, type TestApp, type TestUser } from '../../../test/support/harness';
import type { RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';
import { BILLING, type AccountService, type CatalogService, type CreditNoteService, type DocumentService, type Journal, type PaymentService } from '../api';

/** A company of its own for a test file: an admin, journals, a tax, products and a shop for customers. */
export interface BillingWorld {
  t: TestApp;
  companyId: number;
  admin: TestUser;
  ctx: RequestContext;
  shopId: number;
  journals: { sale: Journal; cash: Journal; mobile: Journal; discount: Journal };
  taxId: number;
  documents: DocumentService;
  payments: PaymentService;
  creditNotes: CreditNoteService;
  accounts: AccountService;
  catalog: CatalogService;
  customers: CustomerService;
}

export function uniq(prefix = ''): string {
  return `${prefix}${crypto.randomBytes(4).toString('hex')}`;
}

export async function billingWorld(options: { timezone?: string; currency?: string } = {}): Promise<BillingWorld> {
  const t = await startTestApp();
  const now = new Date();
  const code = uniq('B').toUpperCase().slice(0, 10);
  const [companyId] = await t.knex('core_companies').insert({ code, name: `Company ${code}`, currency: options.currency ?? 'EUR', timezone: options.timezone ?? 'UTC', created_at: now, updated_at: now });
  const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [Number(companyId)] });
  const ctx = await t.contextFor(admin.id, Number(companyId));
  const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: `Shop ${code}` });
  const journalService = t.container.get<any>(Symbol.for('billing.journal'));
  const make = (c: string, kind: string, format: string) => journalService.create(ctx, { code: c, name: c, kind, number_format: format });
  const [sale, cash, mobile, discount] = [await make('SAL', 'sale', 'INV/{year}/{seq:5}'), await make('CSH', 'cash', 'CSH/{seq:5}'), await make('MOMO', 'mobile_money', 'MM/{seq:5}'), await make('DSC', 'discount', 'CN/{year}/{seq:4}')];
  const tax = await t.container.get<any>(Symbol.for('billing.tax')).create(ctx, { name: 'VAT 18%', rate: 1800 });
  const products = t.container.get<any>(Symbol.for('billing.product'));
  await products.create(ctx, { code: 'ITEM', name: 'Item', unit_price: 1000, tax_id: tax.id });
  await products.create(ctx, { code: 'SVC', name: 'Service', unit_price: 333, tax_id: tax.id });
  await products.create(ctx, { code: 'FREE', name: 'Untaxed', unit_price: 100 });
  await products.create(ctx, { code: 'PTS', name: 'Points redemption', unit_price: -1 });
  const toJournal = (j: any): Journal => ({ ...j, active: true });
  return {
    t,
    companyId: Number(companyId),
    admin,
    ctx,
    shopId: Number(shop.id),
    journals: { sale: toJournal(sale), cash: toJournal(cash), mobile: toJournal(mobile), discount: toJournal(discount) },
    taxId: Number(tax.id),
    documents: t.container.get<DocumentService>(BILLING.Documents),
    payments: t.container.get<PaymentService>(BILLING.Payments),
    creditNotes: t.container.get<CreditNoteService>(BILLING.CreditNotes),
    accounts: t.container.get<AccountService>(BILLING.Accounts),
    catalog: t.container.get<CatalogService>(BILLING.Catalog),
    customers: t.container.get<CustomerService>(CRM.Customers),
  };
}

export async function makeCustomer(w: BillingWorld, input: Record<string, unknown> = {}): Promise<number> {
  const c = await w.customers.create(w.ctx, { first_name: 'Ann', last_name: uniq('Lee'), shop_id: w.shopId, ...input });
  return c.id;
}

/** A posted invoice of one FREE line (no tax) worth `amount`, dated `issueDate` when given. */
export async function postedInvoice(w: BillingWorld, customerId: number, amount: number, issueDate?: string): Promise<number> {
  const draft = await w.documents.createInvoice(w.ctx, { customerId, lines: [{ productCode: 'FREE', quantity: 1, unitPrice: amount }] });
  if (issueDate) await w.t.knex('billing_documents').where({ id: draft.id }).update({ issue_date: issueDate });
  return (await w.documents.post(w.ctx, draft.id)).id;
}

/** Ledger sum and account row of a customer, read straight from the tables (tests only). */
export async function ledgerCheck(w: BillingWorld, customerId: number): Promise<{ ledger: number; balance: number; credit: number }> {
  const sum = await w.t.knex('billing_ledger').where({ company_id: w.companyId, customer_id: customerId }).sum({ s: 'amount' }).first();
  const account = await w.t.knex('billing_accounts').where({ company_id: w.companyId, customer_id: customerId }).first();
  return { ledger: Number(sum?.s ?? 0), balance: Number(account?.balance ?? 0), credit: Number(account?.credit ?? 0) };
}
