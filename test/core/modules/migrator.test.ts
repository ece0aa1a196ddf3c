import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { Migrator } from '../../../core/modules/migrator';
import { openDatabase } from '../../../core/db/connection';
import { ROOT_DIR } from '../../../core/config/load-config';
import { createTestDatabase, TestDatabase } from '../../support/test-database';

/** A step is one step whether its file is TypeScript or compiled JavaScript, in the folder and in the journal. */
describe('module migrations, TypeScript or compiled', () => {
  let database: TestDatabase;
  let knex: Knex;
  let dir: string;
  const step = (file: string) => fs.writeFileSync(path.join(dir, file), 'exports.up = async () => {}; exports.down = async () => {};\n');

  beforeEach(async () => {
    database = await createTestDatabase();
    knex = openDatabase(database.url, ROOT_DIR);
    await new Migrator(knex).ensureJournal();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-migrations-'));
  });
  afterEach(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await knex.destroy();
    await database.drop();
  });

  it('names each step without its extension, once when a folder holds both forms (the one this process runs)', () => {
    step('001_things.ts');
    step('001_things.js');
    step('002_more.js');
    step('types.d.ts');

    const files = new Migrator(knex).files(dir);

    expect(files.map((f) => f.name)).to.deep.equal(['001_things', '002_more']);
    expect(path.basename(files[0].file), 'these tests run the sources').to.equal('001_things.ts');
  });

  it('counts a step the journal names with its extension as applied, and can revert it', async () => {
    step('001_things.js');
    step('002_more.js');
    await knex('core_migrations').insert({ module: 'notes', name: '001_things.ts', applied_at: new Date() });
    const migrator = new Migrator(knex);

    expect((await migrator.pending('notes', dir)).map((f) => f.name)).to.deep.equal(['002_more']);
    await migrator.down('notes', dir, ['001_things']);
    expect(await knex('core_migrations').where({ module: 'notes' })).to.deep.equal([]);
  });

  it("reads every module's applied steps in one query, and says there is no journal before the first start", async () => {
    step('001_things.js');
    step('002_more.js');
    await knex('core_migrations').insert([
      { module: 'notes', name: '001_things.ts', applied_at: new Date() },
      { module: 'other', name: '001_other', applied_at: new Date() },
    ]);
    const migrator = new Migrator(knex);
    const applied = await migrator.appliedByModule();

    expect([...(applied?.get('notes') ?? [])]).to.deep.equal(['001_things']);
    expect([...(applied?.get('other') ?? [])]).to.deep.equal(['001_other']);
    expect(migrator.pendingAmong(applied?.get('notes'), dir).map((f) => f.name)).to.deep.equal(['002_more']);
    expect(migrator.pendingAmong(undefined, dir).map((f) => f.name)).to.deep.equal(['001_things', '002_more']);

    await knex.schema.dropTable('core_migrations');
    expect(await migrator.appliedByModule()).to.equal(null);
  });
});
