import { expect } from 'chai';
import { createTestDatabase } from '../../support/test-database';
import { openDatabase, listTables } from '../../../core/db/connection';
import * as customers from '../../../modules/crm/migrations/001_customers';
import * as groups from '../../../modules/crm/migrations/002_groups';
import * as imports from '../../../modules/crm/migrations/003_imports';
import * as searchFilters from '../../../modules/crm/migrations/004_search_filter_columns';
import * as importLocks from '../../../modules/crm/migrations/005_import_locks';

describe('crm migrations @integration', () => {
  it('run up and down on an empty database, down leaving nothing behind', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => {
        t.increments('id').primary();
      });
      const before = (await listTables(knex)).sort();
      for (const m of [customers, groups, imports, searchFilters, importLocks]) await m.up(knex);
      expect(await listTables(knex)).to.include.members(['crm_customers', 'crm_customer_tags', 'crm_customer_logins', 'crm_groups', 'crm_group_shops', 'crm_group_members', 'crm_imports']);
      for (const m of [importLocks, searchFilters, imports, groups, customers]) await m.down(knex);
      expect((await listTables(knex)).sort()).to.deep.equal(before);
      // And up again: down really undid everything, indexes included.
      for (const m of [customers, groups, imports, searchFilters, importLocks]) await m.up(knex);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });
});
