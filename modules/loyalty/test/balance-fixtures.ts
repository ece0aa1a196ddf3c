import type { TestApp, TestUser } from 'tessera/testing';
import type { RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../../crm/api';
import { BILLING, type AccountService, type DocumentService, type Journal, type PaymentService } from '../../billing/api';
import { LOYALTY } from '../api';
import type { BalanceService } from '../balance/balance-service';

import { companyWorld, journalsOf, productsOf, uniq } from './company-fixtures';

export { uniq };

/** A company of its own with billing's journals, a product at 100.00 (no tax) and an admin. */
export interface BalanceWorld {
  t: TestApp;
  companyId: number;
  admin: TestUser;
  ctx: RequestContext;
  journals: { sale: Journal; cash: Journal; bank: Journal };
  shopId: number;
  balance: BalanceService;
  offers: any;
  customers: CustomerService;
  payments: PaymentService;
  documents: DocumentService;
  accounts: AccountService;
}

export async function balanceWorld(options: { t?: TestApp } = {}): Promise<BalanceWorld> {
  const base = await companyWorld(options);
  const journals = await journalsOf(base, { sale: ['SAL', 'sale', 'INV/{seq:5}'], cash: ['CSH', 'cash', 'CSH/{seq:5}'], bank: ['BNK', 'bank', 'BNK/{seq:5}'] });
  await productsOf(base, [{ code: 'ITEM', name: 'Item', unit_price: 10000 }]);
  const { t } = base;
  return {
    ...base,
    journals,
    balance: t.container.get<BalanceService>(LOYALTY.Balance),
    offers: t.container.get<any>(LOYALTY.Offers),
    customers: t.container.get<CustomerService>(CRM.Customers),
    payments: t.container.get<PaymentService>(BILLING.Payments),
    documents: t.container.get<DocumentService>(BILLING.Documents),
    accounts: t.container.get<AccountService>(BILLING.Accounts),
  };
}

export async function makeCustomer(w: BalanceWorld): Promise<number> {
  return (await w.customers.create(w.ctx, { first_name: 'Kofi', last_name: uniq('Boateng'), shop_id: w.shopId })).id;
}

export async function recharge(w: BalanceWorld, customerId: number, amount: number, over: Record<string, unknown> = {}) {
  return w.balance.recharge(w.ctx, { customer_id: customerId, amount, journal_id: w.journals.cash.id, method: 'cash', reference: uniq('R'), ...over } as any);
}

export async function makeOffer(w: BalanceWorld, over: Record<string, unknown>): Promise<any> {
  return w.offers.create(w.ctx, { name: uniq('Offer '), kind: 'recharge', rate_bps: 1000, threshold: 5000, ...over });
}

/** A posted invoice of `quantity` items at 100.00. */
export async function invoice(w: BalanceWorld, customerId: number, quantity = 1) {
  return w.documents.createInvoice(w.ctx, { customerId, journalId: w.journals.sale.id, lines: [{ productCode: 'ITEM', quantity }], post: true });
}

export async function order(w: BalanceWorld, customerId: number, unitPrice = 10000) {
  return w.documents.createOrder(w.ctx, { customerId, journalId: w.journals.sale.id, lines: [{ productCode: 'ITEM', quantity: 1, unitPrice }] });
}

export async function balanceOf(w: BalanceWorld, customerId: number): Promise<number> {
  return (await w.balance.summary(w.ctx, customerId)).balance;
}

/** The ledger's sum and the balance row, read straight from the tables: they must always agree. */
export async function ledgerAndRow(w: BalanceWorld, customerId: number): Promise<{ ledger: number; row: number }> {
  const sum = await w.t.knex('loyalty_balance_ledger').where({ company_id: w.companyId, customer_id: customerId }).sum({ s: 'amount' }).first();
  const row = await w.t.knex('loyalty_balances').where({ company_id: w.companyId, customer_id: customerId }).first('balance');
  return { ledger: Number(sum?.s ?? 0), row: Number(row?.balance ?? 0) };
}
