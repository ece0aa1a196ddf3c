import type { Knex } from 'knex';
import type { Container } from 'inversify';
import { CORE, type Principal, type RequestContext } from 'tessera/core';
import { CRM, type CustomerGroupService, type CustomerService } from './api';
import { PERM } from './permissions';
import { shopDirectory } from './shops';
import { seedCustomersAtScale } from './demo-bulk';

interface ContextFactory {
  contextFor(principal: Principal, db?: Knex | Knex.Transaction): RequestContext;
}

const PEOPLE = [
  { first_name: 'Amara', last_name: 'Okafor', phone: '+33 6 12 34 56 01', email: 'amara.okafor@example.com', birthdate: '1984-03-12', tags: ['vip'], classification: 'retail', delivery_route: 'R1' },
  { first_name: 'Lucas', last_name: 'Martin', phone: '+33 6 12 34 56 02', email: 'lucas.martin@example.com', birthdate: '1990-07-30', tags: ['newsletter'], classification: 'retail', delivery_route: 'R2' },
  { first_name: 'Sofia', last_name: 'Rossi', phone: '+39 333 123 4567', email: 'sofia.rossi@example.com', birthdate: '1978-11-02', tags: ['vip', 'newsletter'], classification: 'wholesale', delivery_route: 'R1' },
  { first_name: 'Jonas', last_name: 'Weber', phone: '+49 151 2345 6789', email: 'jonas.weber@example.com', birthdate: '2001-01-19', tags: [], classification: 'retail', delivery_route: 'R3' },
  { first_name: 'Mei', last_name: 'Chen', phone: '+33 7 98 76 54 32', email: 'mei.chen@example.com', birthdate: '1995-03-25', tags: ['newsletter'], classification: 'retail', delivery_route: 'R2' },
];

/** A few customers, a family, a group by shop and one by customer, so a first start shows the module at work. */
export async function seedCrmDemo({ trx, companyId, container, scale }: { trx: Knex.Transaction; companyId: number; container: Container; scale?: number }): Promise<void> {
  const contexts = container.get<ContextFactory>(CORE.Contexts);
  const ctx = contexts.contextFor(
    { userId: null, email: 'system', name: 'Demo data', companyIds: [companyId], companyId, permissions: new Set(Object.values(PERM)), isSuperAdmin: true, via: 'system' },
    trx,
  );
  const shops = (await shopDirectory(ctx).list(ctx)).filter((s) => Number(s.company_id) === companyId);
  if (!shops.length) return;
  if (scale) return seedCustomersAtScale(trx, companyId, shops.map((s) => Number(s.id)), scale);
  const customers = container.get<CustomerService>(CRM.Customers);
  const groups = container.get<CustomerGroupService>(CRM.CustomerGroups);
  const created = [];
  for (const [i, person] of PEOPLE.entries()) {
    created.push(await customers.create(ctx, { ...person, shop_id: shops[i % shops.length].id }));
  }
  await customers.create(ctx, { first_name: 'Ada', last_name: 'Okafor', birthdate: '2015-06-01', shop_id: created[0].shop_id, parent_id: created[0].id, tags: [] });
  await groups.create(ctx, { name: `All customers of ${shops[0].name}`, type: 'shop', shop_ids: [shops[0].id], description: 'Every customer of the shop, today and tomorrow' });
  await groups.create(ctx, { name: 'VIP', type: 'customer', description: 'Customers tagged vip', search: { tag: 'vip' } });
}
