import { expect } from 'chai';
import { createTestDatabase, openDatabase, listTables } from 'tessera/testing';
import * as plansAndBundles from '../migrations/001_pay_plans_bundles';
import * as planDevices from '../migrations/004_plan_devices';

describe('schemes migration 004_plan_devices @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  it('adds the device columns and the codes, and takes them away again', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => t.increments('id').primary());
      await plansAndBundles.up(knex);
      const before = (await listTables(knex)).sort();
      await planDevices.up(knex);
      expect(await listTables(knex)).to.include.members(['schemes_device_tokens']);
      expect(await knex.schema.hasColumn('schemes_pay_plans', 'device_count')).to.equal(true);
      await planDevices.down(knex);
      expect((await listTables(knex)).sort()).to.deep.equal(before);
      expect(await knex.schema.hasColumn('schemes_pay_plans', 'device_secret')).to.equal(false);
      await planDevices.up(knex);
      expect(await knex.schema.hasColumn('schemes_pay_plans', 'device_starting_code')).to.equal(true);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });
});
