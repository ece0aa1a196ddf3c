import { expect } from 'chai';
import { createTestDatabase, openDatabase, listTables } from 'tessera/testing';
import * as plansAndBundles from '../migrations/001_pay_plans_bundles';
import * as gold from '../migrations/003_gold_schemes';

describe('schemes gold migration @integration', function () {
  this.timeout(Math.max(this.timeout(), 90_000));
  it('003 runs up and down on a database holding 001, down leaving only what was there, and up again; the unique keys hold', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => t.increments('id').primary());
      await plansAndBundles.up(knex);
      const before = (await listTables(knex)).sort();
      await gold.up(knex);
      expect(await listTables(knex)).to.include.members(['schemes_gold_schemes', 'schemes_gold_rates', 'schemes_gold_plans', 'schemes_gold_payments', 'schemes_gold_missed', 'schemes_gold_events']);
      const [company] = await knex('core_companies').insert({});
      const [scheme] = await knex('schemes_gold_schemes').insert({ company_id: company, name: 'G', kind: 'fixed', duration_months: 11, min_instalment: 1, tiers: '[]' });
      const [plan] = await knex('schemes_gold_plans').insert({ company_id: company, customer_id: 1, scheme_id: scheme, kind: 'fixed', tier: 'T', instalment: 1, instalments: 11, start_month: '2026-01', segments: '[]', pauses: '[]', maturity_month: '2026-11', maturity_date: '2026-12-01' });
      const row = (ref: string, slot: string | null) => ({ company_id: company, plan_id: plan, customer_id: 1, payer_id: 1, journal_id: 1, reference: ref, mode: 'cash', amount: 1, status: 'paid', month: '2026-01', slot, paid_at: new Date() });
      await knex('schemes_gold_payments').insert(row('A', '2026-01'));
      await knex('schemes_gold_payments').insert(row('B', null));
      await knex('schemes_gold_payments').insert(row('C', null));
      let refused = 0;
      for (const again of [row('D', '2026-01'), row('A', null)]) await knex('schemes_gold_payments').insert(again).catch(() => (refused += 1));
      expect(refused).to.equal(2);
      await knex('schemes_gold_missed').insert({ company_id: company, plan_id: plan, month: '2026-02' });
      expect(await knex('schemes_gold_missed').insert({ company_id: company, plan_id: plan, month: '2026-02' }).then(() => 'inserted', () => 'refused')).to.equal('refused');
      await gold.down(knex);
      expect((await listTables(knex)).sort()).to.deep.equal(before);
      await gold.up(knex);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });
});
