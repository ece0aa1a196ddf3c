import crypto from 'node:crypto';
import { startTestApp, type TestApp, type TestUser } from 'tessera/testing';
import type { RequestContext } from 'tessera/core';
import { CRM, type CustomerGroupService, type CustomerService } from '../../crm/api';
import type { ImportService } from '../../crm/import/import-service';
import type { Customer, CustomerInput } from '../../crm/customers/customer-types';
import type { Shop } from '../../crm/shops';

export const ALL_CRM = [
  'crm.customer.read',
  'crm.customer.write',
  'crm.customer.delete',
  'crm.customer.login_details',
  'crm.customer.import',
  'crm.customer.export',
  'crm.group.read',
  'crm.group.manage',
];

/** A company of its own for a test file: two shops and an admin holding every permission. */
export interface CrmWorld {
  t: TestApp;
  companyId: number;
  admin: TestUser;
  ctx: RequestContext;
  shops: [Shop, Shop];
  customers: CustomerService;
  groups: CustomerGroupService;
  imports: ImportService;
}

export function uniq(prefix = ''): string {
  return `${prefix}${crypto.randomBytes(4).toString('hex')}`;
}

/** A French national number ("0612345678") as customers store it: E.164, read in the company's country (FR by default). */
export function e164(national: string): string {
  return '+33' + national.replace(/\D+/g, '').slice(1);
}

/** Digits unique to this run, for phone numbers. */
export function uniqDigits(n = 8): string {
  return String(crypto.randomInt(10 ** (n - 1), 10 ** n));
}

/**
 * Every test file shares one application and database; a fresh company per file keeps settings
 * (code format, custom fields) and counts independent of the other files.
 */
export async function crmWorld(): Promise<CrmWorld> {
  const t = await startTestApp();
  const now = new Date();
  const code = uniq('C').toUpperCase().slice(0, 10);
  const [companyId] = await t.knex('core_companies').insert({ code, name: `Company ${code}`, currency: 'EUR', timezone: 'UTC', created_at: now, updated_at: now });
  const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [Number(companyId)] });
  const ctx = await t.contextFor(admin.id, Number(companyId));
  const shopService = t.container.get<any>(Symbol.for('base.ShopService'));
  const a = await shopService.create(ctx, { code: uniq('A').toUpperCase().slice(0, 8), name: `Shop A ${code}` });
  const b = await shopService.create(ctx, { code: uniq('B').toUpperCase().slice(0, 8), name: `Shop B ${code}` });
  return {
    t,
    companyId: Number(companyId),
    admin,
    ctx,
    shops: [a, b],
    customers: t.container.get<CustomerService>(CRM.Customers),
    groups: t.container.get<CustomerGroupService>(CRM.CustomerGroups),
    imports: t.container.get<ImportService>(CRM.Imports),
  };
}

export async function makeCustomer(w: CrmWorld, input: Partial<CustomerInput> = {}, ctx = w.ctx): Promise<Customer> {
  return w.customers.create(ctx, { first_name: 'Ann', last_name: uniq('Lee'), shop_id: w.shops[0].id, ...input });
}

/** A user of the world's company with exactly these permissions, and its request context. */
export async function userWith(w: CrmWorld, permissions: string[]): Promise<{ user: TestUser; ctx: RequestContext }> {
  const user = await w.t.createUser({ permissions, companyIds: [w.companyId] });
  return { user, ctx: await w.t.contextFor(user.id, w.companyId) };
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, Accept: 'application/json' };
}
