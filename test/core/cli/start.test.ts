import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT_DIR } from '../../../core/config/load-config';
import { run, shown } from './run-cli';

describe('starting Tessera (npm start)', () => {
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
});
