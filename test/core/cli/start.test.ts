import { builtInModules } from '../../support/built-in-modules';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT_DIR } from '../../../core/config/load-config';
import { openDatabase } from '../../../core/db/connection';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { run, shown, startTessera, tessera } from './run-cli';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { compiledHost } = require('../../../bin/compiled-host') as { compiledHost(): { main?: string; reason?: string } };

/** An integrator's module in TypeScript outside the repository, importing Tessera by name (tessera/core). */
function writeProbeModule(parent: string): void {
  const dir = path.join(parent, 'probe');
  fs.mkdirSync(path.join(dir, 'migrations'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({ name: 'probe', version: '1.0.0', description: 'An integrator module in TypeScript', permissions: [{ name: 'probe.thing.read', description: 'See things' }] }),
  );
  fs.writeFileSync(
    path.join(dir, 'index.ts'),
    `import { ValidationError } from 'tessera/core';
const refusal: Record<string, string> = { name: 'is refused by the integrator' };
export default {
  register(m: any): void {
    m.routes.api({ method: 'GET', path: '/refusal', permission: 'probe.thing.read', summary: 'Refuses', handler: async () => { throw new ValidationError(refusal); } });
  },
};
`,
  );
  fs.writeFileSync(
    path.join(dir, 'migrations', '001_probe_things.ts'),
    `import type { Knex } from 'knex';
export async function up(knex: Knex): Promise<void> { await knex.schema.createTable('probe_things', (t) => { t.increments('id'); }); }
export async function down(knex: Knex): Promise<void> { await knex.schema.dropTable('probe_things'); }
`,
  );
}

describe('starting Tessera (npm start)', function () {
  this.timeout(300_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-start-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("says in one line, with the command that fixes it, when better-sqlite3's native module is missing", async () => {
    const noNative = path.join(ROOT_DIR, 'test', 'fixtures', 'faults', 'no-sqlite-native.js');
    const result = await run(process.execPath, ['-r', noNative, path.join(ROOT_DIR, 'bin', 'tessera.js'), 'serve'], {
      DATABASE_URL: `sqlite://${path.join(dir, 'tessera.sqlite')}`,
      PORT: '0',
    });
    expect(result.code, shown(result)).to.equal(1);
    expect(result.stdout).to.equal('');
    expect(result.stderr).to.equal("tessera: better-sqlite3's native module cannot be loaded (Could not locate the bindings file); run: npm rebuild better-sqlite3\n");
  });

  describe('from the compiled host', () => {
    let database: TestDatabase;
    before(async () => {
      // What `npm install` does; built here when the sources changed since.
      if (!compiledHost().main) {
        const build = await run(process.execPath, [path.join(ROOT_DIR, 'bin', 'build.js')], {}, 280_000);
        expect(build.code, shown(build)).to.equal(0);
      }
      database = await createTestDatabase();
    });
    after(() => database?.drop());

    it("serves with the built-in modules' compiled code and migrations, and an integrator's TypeScript module sharing its core", async () => {
      writeProbeModule(dir);
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: '',
        TESSERA_MODULES_PATH: [path.join(ROOT_DIR, 'examples', 'modules'), dir].join(path.delimiter),
        ADMIN_EMAIL: 'admin@start.test',
        ADMIN_PASSWORD: 'start-admin-password',
      };
      const serve = startTessera(['serve'], { ...env, PORT: '0', LOG_LEVEL: 'info', TESSERA_RUN_SOURCES: '' });
      const listening = await new Promise<Record<string, any>>((resolve, reject) => {
        let out = '';
        serve.child.stdout!.on('data', (chunk) => {
          out += chunk;
          const line = out.split('\n').find((l) => l.includes('"Tessera is listening"'));
          if (line) resolve(JSON.parse(line));
        });
        void serve.done.then((result) => reject(new Error(`serve stopped before listening\n${shown(result)}`)));
      });
      try {
        expect(listening.code, 'the code that ran').to.equal('compiled');
        const token = (await tessera(['token', 'create', '--email', env.ADMIN_EMAIL], env)).lines.pop();
        const health = await (await fetch(`${listening.url}/healthz`)).json();
        expect([...health.modules].sort()).to.deep.equal([...builtInModules().map((m) => m.name), 'probe', 'visit_notes'].sort());

        // Thrown by the integrator's module with core's class, recognised by the compiled host's error handler.
        const refusal = await fetch(`${listening.url}/api/v1/probe/refusal`, { headers: { authorization: `Bearer ${token}` } });
        expect(refusal.status).to.equal(422);
        expect((await refusal.json()).error.fields).to.deep.equal({ name: 'is refused by the integrator' });
      } finally {
        serve.child.kill('SIGTERM');
      }
      const stopped = await serve.done;
      expect(stopped.stderr, 'no notice: the compiled host ran').to.equal('');

      const knex = openDatabase(database.url, ROOT_DIR);
      try {
        const crmSteps = fs.readdirSync(path.join(ROOT_DIR, 'modules', 'crm', 'migrations')).map((f) => f.replace(/\.ts$/, '')).sort();
        expect(await knex('core_migrations').where({ module: 'crm' }).orderBy('name').pluck('name'), 'journaled by name, without extension').to.deep.equal(crmSteps);
        expect(await knex('core_migrations').where({ module: 'probe' }).pluck('name')).to.deep.equal(['001_probe_things']);
      } finally {
        await knex.destroy();
      }
      // The sources read the journal the compiled host wrote as their own: nothing is pending.
      const list = await tessera(['module', 'list'], env);
      expect(list.code, shown(list)).to.equal(0);
      const states = list.lines.slice(1).map((line) => line.trim().split(/\s+/).slice(3));
      expect(states, shown(list)).to.have.length(builtInModules().length + 2);
      expect(states.every(([state, pending]) => state === 'installed' && pending === '0'), shown(list)).to.equal(true);
    });
  });
});
