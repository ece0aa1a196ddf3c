import { expect } from 'chai';
import { createTestDatabase, openDatabase, listTables } from 'tessera/testing';
import * as customers from '../../crm/migrations/001_customers';
import * as groups from '../../crm/migrations/002_groups';
import * as imports from '../../crm/migrations/003_imports';
import * as searchFilters from '../../crm/migrations/004_search_filter_columns';
import * as importLocks from '../../crm/migrations/005_import_locks';
import * as phoneOwner from '../../crm/migrations/006_phone_owner';
import * as importChunks from '../../crm/migrations/007_import_chunks';
import * as importsToCore from '../../crm/migrations/008_imports_to_core';
import * as coreImports from '../../../core/db/migrations/005_imports';
import * as phoneE164 from '../../crm/migrations/009_phone_e164';

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

  it('moves stored imports into the core import tables, ids, reports and chunks kept, and back', async () => {
    const database = await createTestDatabase();
    const knex = openDatabase(database.url, process.cwd());
    try {
      await knex.schema.createTable('core_companies', (t) => {
        t.increments('id').primary();
      });
      await knex.schema.createTable('core_audit_log', (t) => {
        t.increments('id').primary();
        t.string('record_table', 64).notNullable();
        t.integer('record_id').notNullable();
      });
      for (const m of [customers, groups, imports, searchFilters, importLocks, phoneOwner, importChunks]) await m.up(knex);
      await coreImports.up(knex);
      const [companyId] = await knex('core_companies').insert({});
      const now = new Date();
      const [id] = await knex('crm_imports').insert({ company_id: companyId, filename: 'a.csv', sha256: 'x', match_by: 'email', status: 'done', size_bytes: 6, rows_total: 2, created_count: 1, error_count: 1, errors: '[{"line":3}]', created_at: now, updated_at: now });
      await knex('crm_import_chunks').insert([{ company_id: companyId, import_id: id, seq: 0, data: Buffer.from('abc') }, { company_id: companyId, import_id: id, seq: 1, data: Buffer.from('def') }]);
      await knex('core_audit_log').insert({ record_table: 'crm_imports', record_id: id });

      await importsToCore.up(knex);
      expect(await listTables(knex)).to.not.include.members(['crm_imports']);
      expect(await listTables(knex)).to.not.include.members(['crm_import_chunks']);
      expect(await knex('core_imports').where({ id }).first()).to.include({ kind: 'crm.customers', filename: 'a.csv', match_by: 'email', status: 'done', errors: '[{"line":3}]' });
      expect(Buffer.concat((await knex('core_import_chunks').where({ import_id: id }).orderBy('seq').pluck('data')) as Buffer[]).toString()).to.equal('abcdef');
      expect((await knex('core_audit_log').first()).record_table).to.equal('core_imports');

      await importsToCore.down(knex);
      expect(await knex('crm_imports').where({ id }).first()).to.include({ filename: 'a.csv', match_by: 'email', status: 'done' });
      expect(Buffer.concat((await knex('crm_import_chunks').where({ import_id: id }).orderBy('seq').pluck('data')) as Buffer[]).toString()).to.equal('abcdef');
      expect(await knex('core_imports').first()).to.equal(undefined);
      expect((await knex('core_audit_log').first()).record_table).to.equal('crm_imports');
      await importsToCore.up(knex);
    } finally {
      await knex.destroy();
      await database.drop();
    }
  });
});
