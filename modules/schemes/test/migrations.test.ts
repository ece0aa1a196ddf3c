import { expect } from 'chai';
import { createTestDatabase, openDatabase, listTables } from 'tessera/testing';
import * as plansAndBundles from '../migrations/001_pay_plans_bundles';
import * as roleTemplates from '../migrations/002_role_templates';

describe('schemes migrations @integration', function () {
  // Booting every module and migrating a fresh MariaDB takes a while on a loaded machine.
  this.timeout(Math.max(this.timeout(), 90_000));
  it('run up and down on an empty database, down leaving nothing behind, and up again', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => t.increments('id').primary());
      await knex.schema.createTable('core_roles', (t) => {
        t.increments('id').primary();
        t.integer('company_id').nullable();
        t.string('name', 100);
        t.string('description', 255);
        t.boolean('is_super_admin');
        t.timestamp('created_at');
        t.timestamp('updated_at');
      });
      await knex.schema.createTable('core_role_permissions', (t) => {
        t.integer('role_id');
        t.string('permission', 120);
      });
      await knex.schema.createTable('core_user_roles', (t) => {
        t.integer('user_id');
        t.integer('role_id');
      });
      const before = (await listTables(knex)).sort();
      for (const m of [plansAndBundles, roleTemplates]) await m.up(knex);
      expect(await listTables(knex)).to.include.members(['schemes_pay_plans', 'schemes_plan_instalments', 'schemes_plan_events', 'schemes_bundles']);
      expect(await knex('core_roles').pluck('name')).to.have.members(['Call center supervisor', 'Customer service manager', 'Call center agent']);
      // Installing again (a second company's upgrade, a re-run) adds no second copy.
      await roleTemplates.up(knex);
      expect(await knex('core_roles').count({ n: '*' }).first()).to.deep.include({ n: 3 });
      for (const m of [roleTemplates, plansAndBundles]) await m.down(knex);
      expect((await listTables(knex)).sort()).to.deep.equal(before);
      expect(await knex('core_roles').pluck('name')).to.deep.equal([]);
      for (const m of [plansAndBundles, roleTemplates]) await m.up(knex);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });
});
