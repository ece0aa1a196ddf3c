import path from 'node:path';
import { expect } from 'chai';
import { readManifest, ManifestError } from '../../../core/modules/manifest';
import { Kernel } from '../../../core/kernel/kernel';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { ModuleFolders, manifestOf, entriesRun, resetEntriesRun } from './module-folders';

function manifestError(dir: string): ManifestError {
  try {
    readManifest(dir);
  } catch (error) {
    expect(error).to.be.instanceOf(ManifestError);
    return error as ManifestError;
  }
  throw new Error(`expected the manifest in ${dir} to be refused`);
}

describe('module manifest', () => {
  let folders: ModuleFolders;
  beforeEach(() => {
    folders = new ModuleFolders();
    resetEntriesRun();
  });
  afterEach(() => folders.remove());

  describe('a valid manifest', () => {
    it('is read with its defaults filled in, without running the entry file', () => {
      const dir = folders.add('notes', manifestOf('notes'));

      const manifest = readManifest(dir);

      expect(manifest).to.deep.include({ name: 'notes', version: '1.0.0', entry: 'index.ts', depends: [], menus: [], slots: [] });
      expect(manifest.permissions).to.deep.equal([{ name: 'notes.thing.read', description: 'See things', implies: [] }]);
      expect(manifest.settings).to.deep.equal({ type: 'object', properties: {} });
      expect(entriesRun()).to.deep.equal([]);
    });
  });

  describe('a bad manifest is refused with the module, the file and the field named', () => {
    const cases: Array<{ rule: string; manifest: (name: string) => Record<string, unknown> | string; field: string; reason: RegExp }> = [
      { rule: 'a required field is missing', manifest: (n) => manifestOf(n, { version: undefined }), field: 'version', reason: /must have required property 'version'/ },
      { rule: 'a field has the wrong type', manifest: (n) => manifestOf(n, { depends: 'base' }), field: 'depends', reason: /must be array/ },
      { rule: 'a version is not x.y.z', manifest: (n) => manifestOf(n, { version: 'one' }), field: 'version', reason: /must match pattern/ },
      { rule: 'a permission has no description', manifest: (n) => manifestOf(n, { permissions: [{ name: `${n}.thing.read` }] }), field: 'permissions/0/description', reason: /required property 'description'/ },
      { rule: 'a field is unknown', manifest: (n) => manifestOf(n, { colour: 'blue' }), field: 'colour', reason: /must NOT have additional properties/ },
      {
        rule: "a permission is not prefixed by the module's name",
        manifest: (n) => manifestOf(n, { permissions: [{ name: `${n}.thing.read`, description: 'ok' }, { name: 'crm.customer.read', description: 'borrowed' }] }),
        field: 'permissions/1/name',
        reason: /must start with "broken\."/,
      },
      {
        rule: "an event is not prefixed by the module's name",
        manifest: (n) => manifestOf(n, { events: { 'crm.customer.created': { description: 'borrowed', payload: { type: 'object' } } } }),
        field: 'events/crm.customer.created',
        reason: /must start with "broken\."/,
      },
      { rule: 'an event name is not dotted lower case', manifest: (n) => manifestOf(n, { events: { 'broken.Thing Made': { description: 'x', payload: { type: 'object' } } } }), field: 'events/broken.Thing Made', reason: /must match pattern/ },
      { rule: 'an event has no payload schema', manifest: (n) => manifestOf(n, { events: { 'broken.thing.made': { description: 'A thing was made' } } }), field: 'events/broken.thing.made/payload', reason: /required property 'payload'/ },
      { rule: 'an event payload is not an object', manifest: (n) => manifestOf(n, { events: { 'broken.thing.made': { description: 'x', payload: { type: 'string' } } } }), field: 'events/broken.thing.made/payload/type', reason: /must be equal to constant/ },
      { rule: 'the entry file does not exist', manifest: (n) => manifestOf(n, { entry: 'main.ts' }), field: 'entry', reason: /names main\.ts, which does not exist/ },
    ];

    for (const { rule, manifest, field, reason } of cases) {
      it(`when ${rule}`, () => {
        const dir = folders.add('broken', manifest('broken'));

        const error = manifestError(dir);

        expect(error.message).to.contain(`Module "broken": ${path.join(dir, 'manifest.json')}: field "${field}"`);
        expect(error.message).to.match(reason);
        expect(error).to.include({ moduleName: 'broken', file: path.join(dir, 'manifest.json'), field });
      });
    }

    it('with every problem of the manifest at once, each with its field', () => {
      const dir = folders.add(
        'broken',
        manifestOf('broken', {
          version: 'one',
          colour: 'blue',
          entry: 'main.ts',
          permissions: [{ name: 'crm.customer.read', description: 'borrowed' }, { name: 'broken.thing.read' }],
          events: { 'broken.thing.made': { payload: { type: 'object' } } },
        }),
      );

      const error = manifestError(dir);

      expect(error.problems.map((p) => p.field).sort()).to.deep.equal(['colour', 'entry', 'events/broken.thing.made/description', 'permissions/0/name', 'permissions/1/description', 'version']);
      for (const { field, reason } of error.problems) expect(error.message).to.contain(`field "${field}" ${reason}`);
      expect(error.message.split('\n'), 'one line, as the command line prints it').to.have.length(1);
    });

    it('when the file is not JSON (named after its folder, since its name cannot be read)', () => {
      const dir = folders.add('garbled', '{ "name": "garbled", "version": "1.0.0", }');

      const error = manifestError(dir);

      expect(error.message).to.match(new RegExp(`^Module "garbled": ${escape(path.join(dir, 'manifest.json'))}: field "\\(file\\)" cannot be read as JSON: .+`));
    });

    it('when the name field itself is invalid, the folder stands in for it', () => {
      const dir = folders.add('folder_name', manifestOf('Bad Name'));
      expect(manifestError(dir).message).to.contain(`Module "Bad Name": ${path.join(dir, 'manifest.json')}: field "name" must match pattern`);
    });
  });

  describe('at start-up', () => {
    let database: TestDatabase;
    beforeEach(async () => {
      database = await createTestDatabase();
    });
    afterEach(() => database.drop());

    it('a bad manifest stops the boot before the code of any module runs, its own or a valid one', async () => {
      // `aaa` is valid and found first; `zzz` would run code if loaded, but its manifest is bad.
      const modulesDir = path.join(folders.root, 'modules');
      folders.add('aaa', manifestOf('aaa'), { under: 'modules' });
      folders.add('zzz', manifestOf('zzz', { menus: [{ id: 'zzz', label: 'Z', path: 'no-slash', permission: 'zzz.thing.read' }] }), { under: 'modules' });

      const error = await Kernel.boot({ modulesDir, config: { databaseUrl: database.url, logLevel: 'silent' } }).then(
        () => null,
        (e: Error) => e,
      );

      expect(error).to.be.instanceOf(ManifestError);
      expect(error!.message).to.contain(`Module "zzz": ${path.join(modulesDir, 'zzz', 'manifest.json')}: field "menus/0/path" must match pattern`);
      expect(entriesRun()).to.deep.equal([]);
    });

    it('(control) with every manifest valid, the same modules boot and their entry files run', async () => {
      const modulesDir = path.join(folders.root, 'modules');
      folders.add('aaa', manifestOf('aaa'), { under: 'modules' });
      folders.add('zzz', manifestOf('zzz', { menus: [{ id: 'zzz', label: 'Z', path: '/zzz', permission: 'zzz.thing.read' }] }), { under: 'modules' });

      const kernel = await Kernel.boot({ modulesDir, runJobs: false, config: { databaseUrl: database.url, redisUrl: null, logLevel: 'silent' } });
      await kernel.close();

      expect(entriesRun()).to.deep.equal(['aaa', 'zzz']);
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
