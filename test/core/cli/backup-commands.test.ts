import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { Kernel } from '../../../core/kernel/kernel';
import { listTables, openDatabase } from '../../../core/db/connection';
import { ROOT_DIR } from '../../../core/config/load-config';
import { CRM, type CustomerService } from '../../../modules/crm/api';
import type { ImportService } from '../../../modules/crm/import/import-service';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { shown, tessera } from './run-cli';

/** Every row of every table, in a stable order: what a restore must give back. */
async function everything(knex: Knex): Promise<Record<string, string[]>> {
  const all: Record<string, string[]> = {};
  for (const table of (await listTables(knex)).sort()) {
    all[table] = ((await knex(table).select()) as unknown[]).map((row) => JSON.stringify(row, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('base64') : v))).sort();
  }
  return all;
}

async function wipe(knex: Knex): Promise<void> {
  const mysql = String(knex.client.config.client).startsWith('mysql');
  await knex.raw(mysql ? 'SET FOREIGN_KEY_CHECKS = 0' : 'PRAGMA foreign_keys = OFF');
  for (const table of await listTables(knex)) await knex.schema.dropTable(table);
  await knex.raw(mysql ? 'SET FOREIGN_KEY_CHECKS = 1' : 'PRAGMA foreign_keys = ON');
}

describe('CLI: tessera backup and tessera restore', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  let env: Record<string, string>;
  let dir: string;
  let file: string;
  let snapshot: Record<string, string[]>;

  before(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url, TESSERA_MODULES_PATH: '', REDIS_URL: '' };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-backup-'));
    const mysql = !database.url.startsWith('sqlite:');
    file = path.join(dir, mysql ? 'nightly.sql.gz' : 'nightly.sqlite');

    // Data of every kind: demo company and modules, customers with tags and family, an uploaded file in chunks.
    const kernel = await Kernel.boot({ runJobs: false, config: { databaseUrl: database.url, redisUrl: null, logLevel: 'silent', modulesPath: [], demo: true } });
    try {
      const admin = await kernel.knex('core_users').orderBy('id').first('id');
      const ctx = await kernel.contexts.forUser(Number(admin.id));
      const shop = await kernel.knex('base_shops').where({ company_id: ctx.companyId }).first('id', 'code');
      const customers = kernel.container.get<CustomerService>(CRM.Customers);
      const main = await customers.create(ctx, { first_name: 'Zoë', last_name: "O'Neil \"Quote\"\nNewline", shop_id: shop.id, phone: '0611223344', birthdate: '1980-02-29', tags: ['vip'], custom_fields: {} });
      await customers.create(ctx, { last_name: 'Kid', shop_id: shop.id, phone: '0611223344', parent_id: main.id });
      const csv = 'code,last_name,shop\n' + Array.from({ length: 30_000 }, (_, i) => `BK-${i},Ünïcode ${i},${shop.code}`).join('\n');
      await kernel.container.get<ImportService>(CRM.Imports).store(ctx, csv, { filename: 'big.csv', status: 'preview_queued' });
    } finally {
      await kernel.close();
    }
    const knex = openDatabase(database.url, ROOT_DIR);
    try {
      snapshot = await everything(knex);
    } finally {
      await knex.destroy();
    }
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await database.drop();
  });

  it('backs up, and after the database is wiped, restores every row of every table', async () => {
    const backup = await tessera(['backup', '--out', file], env);
    expect(backup.code, shown(backup)).to.equal(0);
    expect(backup.stdout).to.match(new RegExp(`^backed up .* to ${file.replace(/[.\\/]/g, '\\$&')} \\(\\d+ tables, \\d+ rows, [\\d.]+ MB\\)\\n$`));
    expect(fs.readdirSync(dir)).to.deep.equal([path.basename(file)]);

    let knex = openDatabase(database.url, ROOT_DIR);
    try {
      expect(Object.keys(snapshot)).to.include.members(['core_migrations', 'core_modules', 'crm_customers', 'core_import_chunks']);
      expect(snapshot.core_import_chunks.length).to.be.greaterThan(0);
      await wipe(knex);
      expect(await listTables(knex)).to.deep.equal([]);
    } finally {
      await knex.destroy();
    }

    const restore = await tessera(['restore', file], env);
    expect(restore.code, shown(restore)).to.equal(0);
    expect(restore.stdout).to.match(/^restored .* \(\d+ tables, \d+ rows, [\d.]+ MB\)\n$/);
    knex = openDatabase(database.url, ROOT_DIR);
    try {
      expect(await everything(knex)).to.deep.equal(snapshot);
    } finally {
      await knex.destroy();
    }
    // And the application runs on it.
    const list = await tessera(['module', 'list'], env);
    expect(list.code, shown(list)).to.equal(0);
    expect(list.stdout).to.match(/crm\s+\S+\s+\S+\s+installed/);
  });

  it('refuses to restore over a database with a newer schema, unless forced', async () => {
    let knex = openDatabase(database.url, ROOT_DIR);
    try {
      await knex('core_migrations').insert({ module: 'crm', name: '999_from_the_future', applied_at: new Date() });
    } finally {
      await knex.destroy();
    }
    const refused = await tessera(['restore', file], env);
    expect(refused.code, shown(refused)).to.equal(1);
    expect(refused.stderr).to.equal('tessera: the database has migrations the backup lacks (crm/999_from_the_future): its schema is newer than the backup\'s. Restore with --force to replace it anyway\n');

    const forced = await tessera(['restore', file, '--force'], env);
    expect(forced.code, shown(forced)).to.equal(0);
    knex = openDatabase(database.url, ROOT_DIR);
    try {
      expect(await everything(knex)).to.deep.equal(snapshot);
    } finally {
      await knex.destroy();
    }
  });

  it('refuses a file that is not a whole backup of this kind of database', async () => {
    const notBackup = path.join(dir, 'notes.txt');
    fs.writeFileSync(notBackup, 'hello\n');
    const result = await tessera(['restore', notBackup], env);
    expect(result.code, shown(result)).to.equal(1);
    expect(result.stderr).to.match(database.url.startsWith('sqlite:') ? /is a MySQL\/MariaDB backup; DATABASE_URL names a SQLite database/ : /is not a Tessera backup/);
    if (!database.url.startsWith('sqlite:')) {
      const cut = path.join(dir, 'cut.sql.gz');
      const whole = zlib.gunzipSync(fs.readFileSync(file));
      fs.writeFileSync(cut, zlib.gzipSync(whole.subarray(0, Math.floor(whole.length / 2))));
      const truncated = await tessera(['restore', cut], env);
      expect(truncated.code, shown(truncated)).to.equal(1);
      expect(truncated.stderr).to.match(/cut\.sql\.gz is cut short \(it has no end line\): it cannot be restored/);
    }
    const missing = await tessera(['restore', path.join(dir, 'nope.sqlite')], env);
    expect(missing.stderr).to.match(/^tessera: no backup at /);
  });
});
