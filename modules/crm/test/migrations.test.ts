import { expect } from 'chai';
import { createTestDatabase } from '../../../test/support/test-database';
import { openDatabase, listTables } from '../../../core/db/connection';
import * as customers from '../../crm/migrations/001_customers';
import * as groups from '../../crm/migrations/002_groups';
import * as imports from '../../crm/migrations/003_imports';
import * as searchFilters from '../../crm/migrations/004_search_filter_columns';
import * as importLocks from '../../crm/migrations/005_import_locks';
import * as phoneOwner from '../../crm/migrations/006_phone_owner';
import * as importChunks from '../../crm/migrations/007_import_chunks';
import * as phoneE164 from '../../crm/migrations/008_phone_e164';

describe('crm migrations @integration', () => {
  it('run up and down on an empty database, down leaving nothing behind', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => {
        t.increments('id').primary();
      });
      const before = (await listTables(knex)).sort();
      for (const m of [customers, groups, imports, searchFilters, importLocks, phoneOwner, importChunks, phoneE164]) await m.up(knex);
      expect(await listTables(knex)).to.include.members(['crm_customers', 'crm_customer_tags', 'crm_customer_logins', 'crm_groups', 'crm_group_shops', 'crm_group_members', 'crm_imports']);
      for (const m of [phoneE164, importChunks, phoneOwner, importLocks, searchFilters, imports, groups, customers]) await m.down(knex);
      expect((await listTables(knex)).sort()).to.deep.equal(before);
      // And up again: down really undid everything, indexes included.
      for (const m of [customers, groups, imports, searchFilters, importLocks, phoneOwner, importChunks, phoneE164]) await m.up(knex);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });

  it('adds the one-phone-one-customer key over existing duplicates: the oldest holder owns the phone, families share', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => {
        t.increments('id').primary();
      });
      for (const m of [customers, groups, imports, searchFilters, importLocks]) await m.up(knex);
      const [a] = await knex('core_companies').insert({});
      const [b] = await knex('core_companies').insert({});
      let n = 0;
      const customer = async (companyId: number, phone: string | null, parentId: number | null = null) => {
        n++;
        const [id] = await knex('crm_customers').insert({ company_id: companyId, shop_id: 1, code: `C${n}`, code_norm: `c${n}`, last_name: `L${n}`, name_norm: `l${n}`, name_rev_norm: `l${n}`, phone, phone_norm: phone, parent_id: parentId, created_at: new Date(), updated_at: new Date() });
        return Number(id);
      };
      const first = await customer(a, '0611111111');
      const second = await customer(a, '0611111111');
      const kid = await customer(a, '0611111111', first);
      const elsewhere = await customer(b, '0611111111');
      const own = await customer(a, '0622222222', first);
      const none = await customer(a, null);

      await phoneOwner.up(knex);
      const owned = new Map((await knex('crm_customers').select('id', 'owned_phone_norm')).map((r: any) => [Number(r.id), r.owned_phone_norm]));
      expect(Object.fromEntries([first, second, kid, elsewhere, own, none].map((id) => [id, owned.get(id)]))).to.deep.equal({
        [first]: '0611111111',
        [second]: null,
        [kid]: null,
        [elsewhere]: '0611111111',
        [own]: '0622222222',
        [none]: null,
      });
      const again = await knex('crm_customers').where({ id: second }).update({ owned_phone_norm: '0611111111' }).then(() => 'written', () => 'refused');
      expect(again).to.equal('refused');
      await phoneOwner.down(knex);
      await phoneOwner.up(knex);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });

  it('moves files already stored into chunks, and back', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => {
        t.increments('id').primary();
      });
      for (const m of [customers, groups, imports, searchFilters, importLocks, phoneOwner]) await m.up(knex);
      const content = 'code,last_name,shop\n' + 'Ünïcode,Lee,S1\n'.repeat(80_000);
      const [companyId] = await knex('core_companies').insert({});
      const [id] = await knex('crm_imports').insert({ company_id: companyId, filename: 'a.csv', sha256: 'x', status: 'done', content, created_at: new Date(), updated_at: new Date() });
      await importChunks.up(knex);
      const chunks = (await knex('crm_import_chunks').where({ import_id: id }).orderBy('seq').pluck('data')) as Buffer[];
      expect(chunks.length).to.equal(2);
      expect(Buffer.concat(chunks).toString('utf8')).to.equal(content);
      expect(Number((await knex('crm_imports').where({ id }).first()).size_bytes)).to.equal(Buffer.byteLength(content));
      await importChunks.down(knex);
      expect((await knex('crm_imports').where({ id }).first()).content).to.equal(content);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });
});
