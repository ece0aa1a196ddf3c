import type { DemoSeeder } from 'tessera/core';
import { shopEntity } from './shop-entity';

const DEMO_SHOPS = [
  { code: 'MAIN', name: 'Main Street', address: '12 Main Street', phone: '+44 20 7946 0001' },
  { code: 'HARBOUR', name: 'Harbour Mall', address: 'Harbour Mall, Unit 4', phone: '+44 20 7946 0002' },
];

/** Two shops for a first look; skips codes that exist, so running it again changes nothing. */
export const seedDemoShops: DemoSeeder = async ({ trx, companyId }) => {
  const existing = new Set<string>(await trx(shopEntity.table).where({ company_id: companyId }).pluck('code'));
  const now = new Date();
  const rows = DEMO_SHOPS.filter((s) => !existing.has(s.code)).map((s) => ({ ...s, company_id: companyId, is_active: true, created_at: now, updated_at: now }));
  if (rows.length) await trx(shopEntity.table).insert(rows);
};
