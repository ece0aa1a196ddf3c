import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT_DIR } from '../../../core/config/load-config';
import { readManifest } from '../../../core/modules/manifest';
import { moduleSchemaAjv } from '../../../core/data/module-schemas';
import { Kernel } from '../../../core/kernel/kernel';
import { createTestDatabase } from '../../support/test-database';
import { ModuleFolders, manifestOf } from './module-folders';

const BUILTIN = path.join(ROOT_DIR, 'modules');

/**
 * The JSON Schemas a module declares (settings, event payloads) must compile. An integrator's are
 * checked when the host starts; the built-in modules' here, which keeps that check out of every start.
 */
describe('schemas modules declare', () => {
  for (const folder of fs.readdirSync(BUILTIN).filter((f) => fs.existsSync(path.join(BUILTIN, f, 'manifest.json')))) {
    it(`${folder}: its settings and event payload schemas are JSON Schemas that compile strictly`, () => {
      const manifest = readManifest(path.join(BUILTIN, folder));
      const ajv = moduleSchemaAjv();
      const schemas = { settings: manifest.settings, ...Object.fromEntries(Object.entries(manifest.events).map(([name, e]) => [`events/${name}/payload`, e.payload])) };
      for (const [field, schema] of Object.entries(schemas)) {
        expect(ajv.validateSchema(schema), `${field}: ${ajv.errorsText()}`).to.equal(true);
        expect(() => ajv.compile(schema), field).to.not.throw();
      }
    });
  }

  it("stops the start when an integrator's settings schema does not compile, naming the module", async () => {
    const folders = new ModuleFolders();
    const database = await createTestDatabase();
    try {
      folders.add('tuner', manifestOf('tuner', { settings: { type: 'object', properties: { level: { type: 'integer', minimum: 'low' } } } }), { under: 'external' });
      const error = await Kernel.boot({
        modulesDir: path.join(folders.root, 'no-builtin-modules'),
        runJobs: false,
        config: { databaseUrl: database.url, redisUrl: null, logLevel: 'silent', modulesPath: [path.join(folders.root, 'external')] },
      }).then(
        async (kernel) => {
          await kernel.close();
          return null;
        },
        (e: Error) => e,
      );
      expect(error?.message).to.match(/^Module "tuner": manifest\.json field "settings" is not a usable JSON Schema: .*minimum/);
    } finally {
      folders.remove();
      await database.drop();
    }
  });
});
