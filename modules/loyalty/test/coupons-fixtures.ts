import type { TestApp, TestUser } from 'tessera/testing';
import type { RequestContext } from 'tessera/core';
import { CRM, type CustomerGroupService, type CustomerService } from '../../crm/api';
import { BILLING, type BillingDocument, type DocumentService } from '../../billing/api';
import { LOYALTY, type CouponRedemptionService } from '../api';

import { companyWorld, journalsOf, productsOf, uniq } from './company-fixtures';

export { uniq };

/** A company of its own: a sale journal, a taxed item, an untaxed item, the discount product, an admin. */
export interface CouponWorld {
  t: TestApp;
  companyId: number;
  admin: TestUser;
  ctx: RequestContext;
  shopId: number;
  timezone: string;
  coupons: any;
  redemptions: CouponRedemptionService;
  documents: DocumentService;
  customers: CustomerService;
  groups: CustomerGroupService;
}

export async function couponWorld(options: { timezone?: string; t?: TestApp } = {}): Promise<CouponWorld> {
  const timezone = options.timezone ?? 'UTC';
  const base = await companyWorld({ t: options.t, timezone });
  const { t, ctx } = base;
  await journalsOf(base, { sale: ['SAL', 'sale', 'INV/{seq:5}'] });
  const tax = await t.container.get<any>(Symbol.for('billing.tax')).create(ctx, { name: 'VAT 18%', rate: 1800 });
  await productsOf(base, [{ code: 'ITEM', name: 'Item', unit_price: 1000, tax_id: tax.id }, { code: 'FREE', name: 'Untaxed', unit_price: 100 }, { code: 'DISC', name: 'Coupon discount', unit_price: 0 }]);
  return {
    ...base,
    timezone,
    coupons: t.container.get<any>(LOYALTY.Coupons),
    redemptions: t.container.get<CouponRedemptionService>(LOYALTY.CouponRedemptions),
    documents: t.container.get<DocumentService>(BILLING.Documents),
    customers: t.container.get<CustomerService>(CRM.Customers),
    groups: t.container.get<CustomerGroupService>(CRM.CustomerGroups),
  };
}

export async function makeCustomer(w: CouponWorld): Promise<number> {
  return (await w.customers.create(w.ctx, { first_name: 'Efua', last_name: uniq('Boateng'), shop_id: w.shopId } as any)).id;
}

export async function groupOf(w: CouponWorld, customerIds: number[]): Promise<number> {
  return (await w.groups.create(w.ctx, { name: uniq('G '), type: 'customer', customer_ids: customerIds })).id;
}

/** A draft invoice of `amount` in untaxed units of 100 (FREE), or the given lines. */
export async function draftInvoice(w: CouponWorld, customerId: number, amount = 10000): Promise<BillingDocument> {
  return w.documents.createInvoice(w.ctx, { customerId, lines: [{ productCode: 'FREE', quantity: 1, unitPrice: amount }] });
}

export async function makeCoupon(w: CouponWorld, over: Record<string, unknown> = {}): Promise<any> {
  const mode = over.mode ?? 'shared';
  return w.coupons.create(w.ctx, { name: uniq('Coupon '), mode, ...(mode === 'shared' ? { code: uniq('C').toUpperCase() } : {}), kind: 'fixed', amount: 500, discount_product_code: 'DISC', ...over });
}

/** The company's calendar day, shifted by `days`. */
export function companyDay(timezone: string, days = 0): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** What a refused promise was refused with. */
export async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string; fields: Record<string, string>; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as any;
    return { status: e.status, code: e.code, fields: e.fields ?? {}, message: e.message };
  }
  throw new Error('expected a refusal');
}
