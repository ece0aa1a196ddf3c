import { expect } from 'chai';
import { startTestApp } from 'tessera/testing';
import { CRM, type CustomerService } from '../../crm/api';
import { uniq } from './crm-fixtures';

describe('crm creation-date filters use the company time zone', () => {
  it('counts a customer created at 22:00 in New York on March 1st as created on March 1st', async () => {
    const t = await startTestApp();
    const now = new Date();
    const code = uniq('NY').toUpperCase().slice(0, 10);
    const [companyId] = await t.knex('core_companies').insert({ code, name: `New York ${code}`, currency: 'USD', timezone: 'America/New_York', created_at: now, updated_at: now });
    const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [Number(companyId)] });
    const ctx = await t.contextFor(admin.id, Number(companyId));
    const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: 'Broadway' });
    const customers = t.container.get<CustomerService>(CRM.Customers);
    const late = await customers.create(ctx, { first_name: 'Late', last_name: uniq('Shopper'), shop_id: shop.id });
    // 03:00 UTC on March 2nd is 22:00 on March 1st in New York.
    await t.knex('crm_customers').where({ id: late.id }).update({ created_at: new Date('2026-03-02T03:00:00Z') });
    const on = async (day: string) => (await customers.search(ctx, { created_from: day, created_to: day })).data.map((c) => c.id);
    expect(await on('2026-03-01')).to.deep.equal([late.id]);
    expect(await on('2026-03-02')).to.deep.equal([]);
  });
});
