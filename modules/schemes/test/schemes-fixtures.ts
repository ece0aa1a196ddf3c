import crypto from 'node:crypto';
import { startTestApp, type TestApp, type TestUser } from 'tessera/testing';
import type { RequestContext } from 'tessera/core';
import { CRM, type CustomerGroupService, type CustomerService } from '../../crm/api';
import { BILLING, type AccountService, type CreditNoteService, type DocumentService, type Journal, type PaymentService } from '../../billing/api';
import { SCHEMES } from '../api';
import type { PlanService } from '../plans/plan-service';
import type { PayPlan } from '../plans/plan-entity';

export function uniq(prefix = ''): string {
  return `${prefix}${crypto.randomBytes(4).toString('hex')}`;
}

/** A company of its own: two shops, billing's journals, a product sold on pay plans, an admin. */
export interface SchemesWorld {
  t: TestApp;
  companyId: number;
  admin: TestUser;
  ctx: RequestContext;
  shops: [number, number];
  journals: { sale: Journal; cash: Journal; mobile: Journal; discount: Journal };
  plans: PlanService;
  bundles: any;
  customers: CustomerService;
  groups: CustomerGroupService;
  payments: PaymentService;
  documents: DocumentService;
  creditNotes: CreditNoteService;
  accounts: AccountService;
}

export async function schemesWorld(options: { timezone?: string; t?: TestApp } = {}): Promise<SchemesWorld> {
  const t = options.t ?? (await startTestApp());
  const now = new Date();
  const code = uniq('S').toUpperCase().slice(0, 10);
  const [companyId] = await t.knex('core_companies').insert({ code, name: `Company ${code}`, currency: 'EUR', timezone: options.timezone ?? 'UTC', created_at: now, updated_at: now });
  const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [Number(companyId)] });
  const ctx = await t.contextFor(admin.id, Number(companyId));
  const shopService = t.container.get<any>(Symbol.for('base.ShopService'));
  const a = await shopService.create(ctx, { code: uniq('A').toUpperCase().slice(0, 8), name: `Shop A ${code}` });
  const b = await shopService.create(ctx, { code: uniq('B').toUpperCase().slice(0, 8), name: `Shop B ${code}` });
  const journalService = t.container.get<any>(Symbol.for('billing.journal'));
  const make = (c: string, kind: string, format: string) => journalService.create(ctx, { code: c, name: c, kind, number_format: format });
  const journals = { sale: await make('SAL', 'sale', 'INV/{seq:5}'), cash: await make('CSH', 'cash', 'CSH/{seq:5}'), mobile: await make('MOMO', 'mobile_money', 'MM/{seq:5}'), discount: await make('DSC', 'discount', 'CN/{seq:4}') };
  await t.container.get<any>(Symbol.for('billing.product')).create(ctx, { code: 'KIT', name: 'Solar kit', unit_price: 10000 });
  return {
    t,
    companyId: Number(companyId),
    admin,
    ctx,
    shops: [Number(a.id), Number(b.id)],
    journals,
    plans: t.container.get<PlanService>(SCHEMES.PayPlans),
    bundles: t.container.get<any>(SCHEMES.Bundles),
    customers: t.container.get<CustomerService>(CRM.Customers),
    groups: t.container.get<CustomerGroupService>(CRM.CustomerGroups),
    payments: t.container.get<PaymentService>(BILLING.Payments),
    documents: t.container.get<DocumentService>(BILLING.Documents),
    creditNotes: t.container.get<CreditNoteService>(BILLING.CreditNotes),
    accounts: t.container.get<AccountService>(BILLING.Accounts),
  };
}

export async function makeCustomer(w: SchemesWorld, shop = 0): Promise<number> {
  return (await w.customers.create(w.ctx, { first_name: 'Ama', last_name: uniq('Mensah'), shop_id: w.shops[shop] })).id;
}

/** A daily rate of 40: 840 per 21 days; total 10,000 with a 1,600 deposit invoiced at once; starting today (UTC companies). */
export async function makePlan(w: SchemesWorld, customerId: number, over: Record<string, unknown> = {}): Promise<PayPlan> {
  return w.plans.create(w.ctx, { customer_id: customerId, product_code: 'KIT', total: 10000, deposit: 1600, instalment_amount: 840, instalment_days: 21, start_date: new Date().toISOString().slice(0, 10), device_serial: uniq('SN'), ...over } as any);
}

/** A by-customer group holding exactly these customers. */
export async function groupOf(w: SchemesWorld, customerIds: number[]): Promise<number> {
  return (await w.groups.create(w.ctx, { name: uniq('G '), type: 'customer', customer_ids: customerIds })).id;
}

export async function makeBundle(w: SchemesWorld, groupIds: number[], over: Record<string, unknown> = {}): Promise<any> {
  return w.bundles.create(w.ctx, { name: uniq('Bundle '), journal_id: w.journals.discount.id, trigger_days: 21, reward_days: 2, type: 'ontime_only', group_ids: groupIds, ...over });
}

export async function pay(w: SchemesWorld, customerId: number, amount: number, over: Record<string, unknown> = {}) {
  return w.payments.record(w.ctx, { customerId, journalId: w.journals.mobile.id, amount, method: 'mobile_money', reference: uniq('TX'), ...over } as any);
}

export async function planNow(w: SchemesWorld, id: number): Promise<PayPlan & { expiry: string }> {
  return (await w.plans.get(w.ctx, id)) as any;
}

export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(b) - Date.parse(a)) / 86_400_000);
}
