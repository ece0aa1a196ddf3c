import type { Knex } from 'knex';
import type { Container } from 'inversify';
import { CORE, type EntityService, type Principal, type RequestContext } from 'tessera/core';
import { CRM, type CustomerService } from '../crm/api';
import { LOYALTY, LOYALTY_PERMISSIONS } from './api';
import type { CardTransactions } from './cards/card-transactions';

interface ContextFactory {
  contextFor(principal: Principal, db?: Knex | Knex.Transaction): RequestContext;
}

/**
 * Three card templates (a coffee stamp card, a cashback card by level, a reward card with a catalogue)
 * and a card of each for the first demo customers, with a few stamps and purchases, so a newcomer finds
 * the scanner, a web card and the cards list alive.
 */
export async function seedLoyaltyDemo({ trx, companyId, container }: { trx: Knex.Transaction; companyId: number; container: Container }): Promise<void> {
  const company = await trx('core_companies').where({ id: companyId }).first('id', 'code', 'name', 'currency', 'timezone');
  const ctx = container.get<ContextFactory>(CORE.Contexts).contextFor(
    { userId: null, email: 'system', name: 'Demo data', companyIds: [companyId], companyId, permissions: new Set([...Object.values(LOYALTY_PERMISSIONS), 'crm.customer.read']), isSuperAdmin: true, via: 'system', companies: [{ ...company, id: companyId }] },
    trx,
  );
  if (await ctx.db.queryCompany(companyId, 'loyalty_card_templates').first('id')) return;
  const templates = container.get<EntityService<any>>(Symbol.for('loyalty.card_template'));
  const cards = container.get<EntityService<any>>(Symbol.for('loyalty.card'));
  const moves = container.get<CardTransactions>(LOYALTY.CardTransactions);
  const coffee = await templates.create(ctx, { name: 'Coffee card', type: 'stamp', rules: { stamp_step: null, milestones: [{ stamps: 8, reward: 'A free coffee' }], life: { kind: 'days_since_last', days: 180 } }, design: { background: '#3b2a20', foreground: '#fff8ee', accent: '#e0a458' } });
  const cashback = await templates.create(ctx, { name: 'Cashback club', type: 'cashback', rules: { levels: [{ name: 'Bronze', from: 0, rate: 200 }, { name: 'Silver', from: 50000, rate: 300 }, { name: 'Gold', from: 200000, rate: 500 }] }, design: { background: '#1f3a5f', foreground: '#ffffff', accent: '#f2b705' } });
  const reward = await templates.create(ctx, { name: 'Rewards', type: 'reward', rules: { points_per_unit: 1, points_per_visit: 5, catalogue: [{ name: 'Gift box', cost: 300 }, { name: 'Free delivery', cost: 100 }] }, validity_kind: 'days', validity_days: 365 });
  const customers = await container.get<CustomerService>(CRM.Customers).search(ctx, {}, { limit: 3 });
  const [first, second, third] = customers.data;
  if (first) {
    const card = await cards.create(ctx, { template_id: coffee.id, customer_id: first.id });
    for (let i = 1; i <= 5; i++) await moves.transact(ctx, card.id, `demo-stamp-${i}`, { action: 'stamp' });
  }
  if (second) {
    const card = await cards.create(ctx, { template_id: cashback.id, customer_id: second.id });
    await moves.transact(ctx, card.id, 'demo-purchase-1', { action: 'purchase', amount: 4590 });
    await moves.transact(ctx, card.id, 'demo-purchase-2', { action: 'purchase', amount: 12000 });
  }
  if (third) {
    const card = await cards.create(ctx, { template_id: reward.id, customer_id: third.id });
    await moves.transact(ctx, card.id, 'demo-visit-1', { action: 'visit' });
    await moves.transact(ctx, card.id, 'demo-purchase-1', { action: 'purchase', amount: 8900 });
  }
}
