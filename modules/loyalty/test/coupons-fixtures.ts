import crypto from 'node:crypto';
import { startTestApp, type TestApp, type TestUser } from 'tessera/testing';
import type { RequestContext } from 'tessera/core';
import { CRM, type CustomerGroupService, type CustomerService } from '../../crm/api';
import { BILLING, type BillingDocument, type DocumentService } from '../../billing/api';
import { LOYALTY, type CouponRedemptionService } from '../api';

export function uniq(prefix = ''): string {
  return `${prefix}${crypto.randomBytes(4).toString('hex')}`;
}

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
  const t = options.t ?? (await startTestApp());
  const now = new Date();
  const code = uniq('L').toUpperCase().slice(0, 10);
  const timezone = options.timezone ?? 'UTC';
  const [companyId] = await t.knex('core_companies').insert({ code, name: `Company ${code}`, currency: 'EUR', timezone, created_at: now, updated_at: now });
  const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [Number(companyId)] });
  const ctx = await t.contextFor(admin.id, Number(companyId));
  const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: `Shop ${code}` });
  await t.container.get<any>(Symbol.for('billing.journal')).create(ctx, { code: 'SAL', name: 'Sales', kind: 'sale', number_format: 'INV/{seq:5}' });
  const tax = await t.container.get<any>(Symbol.for('billing.tax')).create(ctx, { name: 'VAT 18%', rate: 1800 });
  const products = t.container.get<any>(Symbol.for('billing.product'));
  await products.create(ctx, { code: 'ITEM', name: 'Item', unit_price: 1000, tax_id: tax.id });
  await products.create(ctx, { code: 'FREE', name: 'Untaxed', unit_price: 100 });
  await products.create(ctx, { code: 'DISC', name: 'Coupon discount', unit_price: 0 });
  return {
    t,
    companyId: Number(companyId),
    admin,
    ctx,
    shopId: Number(shop.id),
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
