import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { openDatabase } from '../../../core/db/connection';
import { ROOT_DIR } from '../../../core/config/load-config';
import { readManifest } from '../../../core/modules/manifest';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { tessera, shown } from './run-cli';

describe('CLI: tessera module new', function () {
  this.timeout(180_000);
  let database: TestDatabase;
  let knex: Knex;
  let integratorDir: string;

  before(async () => {
    database = await createTestDatabase();
    knex = openDatabase(database.url, ROOT_DIR);
    integratorDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-integrator-'));
  });
  after(async () => {
    await knex.destroy();
    await database.drop();
    fs.rmSync(integratorDir, { recursive: true, force: true });
  });

  it('scaffolds a module outside the repository that installs from TESSERA_MODULES_PATH and passes its own test unchanged', async () => {
    const created = await tessera(['module', 'new', 'demo_notes', '--dir', integratorDir]);
    expect(created.code, shown(created)).to.equal(0);
    const dir = path.join(integratorDir, 'demo_notes');
    expect(created.lines[0]).to.equal(`created ${dir}`);
    const files = ['manifest.json', 'api.ts', 'index.ts', 'note-entity.ts', 'migrations/001_create_notes.ts', 'test/demo_notes.test.ts'];
    for (const file of files) expect(fs.existsSync(path.join(dir, file)), file).to.equal(true);
    const manifest = readManifest(dir);
    expect(manifest.permissions.map((p) => p.name)).to.deep.equal(['demo_notes.note.read', 'demo_notes.note.write']);
    expect(manifest.depends).to.deep.equal([], 'a scaffold names no built-in module');

    const env = { DATABASE_URL: database.url, TESSERA_MODULES_PATH: integratorDir };
    const install = await tessera(['module', 'install', 'demo_notes'], env);
    expect(install.code, shown(install)).to.equal(0);
    expect(install.stdout).to.equal('installed: demo_notes\n');
    expect(await knex.schema.hasTable('demo_notes_notes')).to.equal(true);
    expect(await knex('core_modules').where({ name: 'demo_notes' }).first()).to.include({ version: '1.0.0', state: 'installed' });

    // Tessera by name, never by a path into this install: the folder works wherever it lives.
    const sources = files.filter((f) => f.endsWith('.ts')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
    for (const source of sources) expect(source).to.not.match(/from '\.\.\/\.\.|harness|core\//);
    expect(fs.readFileSync(path.join(dir, 'index.ts'), 'utf8')).to.contain("from 'tessera/core'");
    expect(fs.readFileSync(path.join(dir, 'note-entity.ts'), 'utf8')).to.match(/defineEntity[\s\S]*from 'tessera\/core'/);
    expect(fs.readFileSync(path.join(dir, 'test/demo_notes.test.ts'), 'utf8')).to.contain("from 'tessera/testing'");
    expect(fs.readFileSync(path.join(dir, 'api.ts'), 'utf8')).to.contain('DEMO_NOTES_PERMISSIONS');

    // The documented command, from the module's own folder.
    const test = await tessera(['test'], env, dir);
    expect(test.code, shown(test)).to.equal(0);
    expect(test.stdout).to.match(/\b2 passing\b/);
    expect(test.stdout).to.not.match(/failing|pending/);

    // Moved elsewhere, it still passes, its folder named from another one.
    const moved = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-moved-'));
    try {
      fs.renameSync(dir, path.join(moved, 'notes-module'));
      const again = await tessera(['test', 'notes-module'], { DATABASE_URL: process.env.DATABASE_URL }, moved);
      expect(again.code, shown(again)).to.equal(0);
      expect(again.stdout).to.match(/\b2 passing\b/);
    } finally {
      fs.rmSync(moved, { recursive: true, force: true });
    }
  });

  it('refuses a bad name and an existing folder, with a non-zero exit and the reason', async () => {
    const badName = await tessera(['module', 'new', 'Demo-Notes', '--dir', integratorDir]);
    expect(badName.code, shown(badName)).to.equal(1);
    expect(badName.stderr).to.equal('tessera: Module name "Demo-Notes" must be 2-40 lowercase letters, digits or _, starting with a letter\n');

    fs.mkdirSync(path.join(integratorDir, 'taken'), { recursive: true });
    const existing = await tessera(['module', 'new', 'taken', '--dir', integratorDir]);
    expect(existing.code, shown(existing)).to.equal(1);
    expect(existing.stderr).to.equal(`tessera: ${path.join(integratorDir, 'taken')} already exists\n`);
  });
});
