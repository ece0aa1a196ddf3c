import crypto from 'node:crypto';
import { startTestApp, type TestApp, type TestUser } from 'tessera/testing';
import type { RequestContext } from 'tessera/core';
import type { Journal } from '../../billing/api';

export function uniq(prefix = ''): string {
  return `${prefix}${crypto.randomBytes(4).toString('hex')}`;
}

/** What every loyalty world starts from: a company of its own (EUR), a shop and an admin holding every permission. */
export interface CompanyWorld {
  t: TestApp;
  companyId: number;
  admin: TestUser;
  ctx: RequestContext;
  shopId: number;
}

export async function companyWorld(options: { t?: TestApp; timezone?: string; name?: string; shopName?: string } = {}): Promise<CompanyWorld> {
  const t = options.t ?? (await startTestApp());
  const now = new Date();
  const code = uniq('L').toUpperCase().slice(0, 10);
  const [companyId] = await t.knex('core_companies').insert({ code, name: `${options.name ?? 'Company'} ${code}`, currency: 'EUR', timezone: options.timezone ?? 'UTC', created_at: now, updated_at: now });
  const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [Number(companyId)] });
  const ctx = await t.contextFor(admin.id, Number(companyId));
  const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: options.shopName ?? `Shop ${code}` });
  return { t, companyId: Number(companyId), admin, ctx, shopId: Number(shop.id) };
}

/** billing journals of the world's company, by name: `{ sale: ['SAL', 'sale', 'INV/{seq:5}'] }`. */
export async function journalsOf<K extends string>(w: CompanyWorld, specs: Record<K, [code: string, kind: string, format: string]>): Promise<Record<K, Journal>> {
  const journals = w.t.container.get<any>(Symbol.for('billing.journal'));
  const made = {} as Record<K, Journal>;
  for (const [name, [code, kind, format]] of Object.entries(specs) as Array<[K, [string, string, string]]>) {
    made[name] = await journals.create(w.ctx, { code, name: code, kind, number_format: format });
  }
  return made;
}

/** billing products of the world's company. */
export async function productsOf(w: CompanyWorld, products: Array<{ code: string; name: string; unit_price: number; tax_id?: number }>): Promise<void> {
  const service = w.t.container.get<any>(Symbol.for('billing.product'));
  for (const product of products) await service.create(w.ctx, product);
}
