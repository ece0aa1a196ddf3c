import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT_DIR } from '../../../core/config/load-config';
import { tessera, shown } from './run-cli';

/**
 * `tessera test` runs a module's tests from the module's own folder, wherever it is: the example
 * integrator module, copied out of the repository, imports tessera/core, tessera/testing and crm's face
 * (tessera/modules/crm) by name and passes there.
 */
describe('CLI: tessera test', function () {
  this.timeout(180_000);
  let away: string;

  before(() => {
    away = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-elsewhere-'));
    fs.cpSync(path.join(ROOT_DIR, 'examples', 'modules', 'visit_notes'), path.join(away, 'visit_notes'), { recursive: true });
  });
  after(() => fs.rmSync(away, { recursive: true, force: true }));

  it('runs the tests of a module copied outside the repository, from its folder and from the folder of modules', async () => {
    const fromModule = await tessera(['test'], {}, path.join(away, 'visit_notes'));
    expect(fromModule.code, shown(fromModule)).to.equal(0);
    expect(fromModule.stdout).to.match(/visit_notes module[\s\S]*\b2 passing\b/);

    const fromFolder = await tessera(['test', '--grep', 'refuses'], {}, away);
    expect(fromFolder.code, shown(fromFolder)).to.equal(0);
    expect(fromFolder.stdout).to.match(/\b1 passing\b/);
  });

  it('fails with the reason when a folder holds no tests', async () => {
    const empty = await tessera(['test'], {}, path.join(away, 'visit_notes', 'views'));
    expect(empty.code, shown(empty)).to.equal(1);
    expect(empty.stderr).to.match(/^tessera: no test files \(test\/\*\*\/\*\.test\.ts\) in \.\n$/);
  });
});
