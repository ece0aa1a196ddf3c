import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { ROOT_DIR } from '../../../core/config/load-config';

/**
 * bin/codemods/core-imports.js on module code written with paths into core, in a scratch folder of
 * examples/ (the paths must reach this repository's core): one import from tessera/core per file,
 * names the face exports under another name aliased, harness imports to tessera/testing, a moved core
 * file followed, and a second run changes nothing.
 */
describe('the core-imports codemod', function () {
  this.timeout(120_000);
  let scratch: string;
  const codemod = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT_DIR, 'bin/codemods/core-imports.js'), ...args], { cwd: ROOT_DIR, encoding: 'utf8' });
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    fs.writeFileSync(path.join(scratch, file), text);
  };
  const read = (file: string) => fs.readFileSync(path.join(scratch, file), 'utf8');

  beforeEach(() => {
    scratch = path.join(ROOT_DIR, 'examples', `.codemod-${crypto.randomBytes(4).toString('hex')}`);
  });
  afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('rewrites deep imports to the faces, once', () => {
    write(
      'mod/thing.ts',
      [
        "import { ValidationError } from '../../../core/http/errors';",
        "import type { RequestContext } from '../../../core/security/request-context';",
        "import { idList } from '../../../core/http/form-input';",
        "import { CORE } from 'tessera/core';",
        '',
        'export const parts = (ctx: RequestContext) => [ValidationError, idList, CORE, ctx];',
        '',
      ].join('\n'),
    );
    write('mod/test/thing.test.ts', "import { startTestApp } from '../../../../test/support/harness';\nimport { openDatabase } from '../../../../core/db/connection';\n\nvoid [startTestApp, openDatabase];\n");

    const first = codemod(path.relative(ROOT_DIR, scratch));
    expect(first.status, first.stderr).to.equal(0);
    expect(read('mod/thing.ts')).to.equal(
      "import { ValidationError, type RequestContext, formIdList as idList, CORE } from 'tessera/core';\n\nexport const parts = (ctx: RequestContext) => [ValidationError, idList, CORE, ctx];\n",
    );
    expect(read('mod/test/thing.test.ts')).to.equal("import { startTestApp, openDatabase } from 'tessera/testing';\n\nvoid [startTestApp, openDatabase];\n");

    const second = codemod('--check', path.relative(ROOT_DIR, scratch));
    expect(second.status, second.stdout).to.equal(0);
    expect(second.stdout).to.contain('0 file(s) to rewrite, 0 export(s) to add');
  });

  it('says what it would add to a face, and --check writes nothing', () => {
    const face = fs.readFileSync(path.join(ROOT_DIR, 'core/index.ts'), 'utf8');
    write('mod/dialect.ts', "import { dialectOf } from '../../../core/db/connection';\n\nvoid dialectOf;\n");
    const run = codemod('--check', path.relative(ROOT_DIR, scratch));
    expect(run.status).to.equal(1);
    expect(run.stdout).to.contain("face  core/index.ts: export { dialectOf } from './db/connection'");
    expect(read('mod/dialect.ts')).to.contain("'../../../core/db/connection'");
    expect(fs.readFileSync(path.join(ROOT_DIR, 'core/index.ts'), 'utf8')).to.equal(face);
  });
});
