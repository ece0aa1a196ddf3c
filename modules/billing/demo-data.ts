import type { Knex } from 'knex';
import type { Container } from 'inversify';
import { CORE, type Principal, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../crm/api';
import { BILLING, BILLING_PERMISSIONS, type DocumentService, type PaymentService } from './api';
import { addDays, calendarDay, companyFacts } from './shared/caller';

interface ContextFactory {
  contextFor(principal: Principal, db?: Knex | Knex.Transaction): RequestContext;
}

/**
 * Journals (sales, cash, mobile money, discount), a tax, a few products, and invoices and payments
 * for the demo customers spread over the last months, so a newcomer sees a statement and a
 * non-empty aged receivables chart.
 */
export async function seedBillingDemo({ trx, companyId, container }: { trx: Knex.Transaction; companyId: number; container: Container }): Promise<void> {
  const ctx = container.get<ContextFactory>(CORE.Contexts).contextFor(
    { userId: null, email: 'system', name: 'Demo data', companyIds: [companyId], companyId, permissions: new Set([...Object.values(BILLING_PERMISSIONS), 'crm.customer.read']), isSuperAdmin: true, via: 'system' },
    trx,
  );
  const db = ctx.db;
  // Seeded once per company: a later `tessera demo --scale N` adds customers, not a second set of journals.
  if (await db.queryCompany(companyId, 'billing_journals').first('id')) return;
  const journal = (code: string, name: string, kind: string, number_format: string) => db.insert('billing_journals', { code, name, kind, number_format, is_active: true });
  const sale = await journal('SAL', 'Sales', 'sale', 'INV/{year}/{seq:5}');
  const cash = await journal('CSH', 'Cash', 'cash', 'CSH/{year}/{seq:5}');
  const momo = await journal('MOMO', 'Mobile money', 'mobile_money', 'MM/{year}/{seq:5}');
  await journal('DSC', 'Discounts', 'discount', 'CN/{year}/{seq:4}');
  const vat = await db.insert('billing_taxes', { name: 'VAT 18%', rate: 1800 });
  const product = (code: string, name: string, unit_price: number, tax_id: number | null) => db.insert('billing_products', { code, name, unit_price, tax_id, is_active: true });
  await product('SRV', 'Service hour', 4500, vat);
  await product('BOX', 'Gift box', 2990, vat);
  await product('DLV', 'Delivery', 500, null);
  await product('PTS', 'Loyalty points redemption', -1, null);

  const customers = await container.get<CustomerService>(CRM.Customers).search(ctx, {}, { limit: 5 });
  const documents = container.get<DocumentService>(BILLING.Documents);
  const payments = container.get<PaymentService>(BILLING.Payments);
  const today = calendarDay((await companyFacts(db, companyId)).timezone);
  let n = 0;
  for (const [i, customer] of customers.data.entries()) {
    for (const [k, daysAgo] of [120, 70, 40, 10].entries()) {
      if ((i + k) % 3 === 2) continue;
      const draft = await documents.createInvoice(db, { customerId: customer.id, journalId: sale, lines: [{ productCode: 'SRV', quantity: 1 + k }, { productCode: 'BOX', quantity: 1 }, { productCode: 'DLV', quantity: 1 }] });
      await db.update('billing_documents', draft.id, { issue_date: addDays(today, -daysAgo), due_date: addDays(today, 30 - daysAgo) }, { audit: false });
      const invoice = await documents.post(db, draft.id);
      if ((i + k) % 2 === 0) {
        n++;
        await payments.record(db, { customerId: customer.id, journalId: n % 2 ? cash : momo, amount: Math.round(invoice.total / (k + 1)), method: n % 2 ? 'cash' : 'mobile_money', reference: `DEMO-${n}` });
      }
    }
  }
}
