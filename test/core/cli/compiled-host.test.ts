import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ROOT_DIR } from '../../../core/config/load-config';
import { run, shown } from './run-cli';

/**
 * bin/tessera.js runs dist/ when its build is as new as the sources, else the sources through tsx with
 * a one-line notice. Played in a copy of bin/ whose stand-in main files say which one ran.
 */
describe('bin/tessera.js: the compiled host or the sources', function () {
  this.timeout(60_000);
  let root: string;
  let stampedAt: number;

  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  const age = (file: string, seconds: number) => {
    const at = new Date(stampedAt + seconds * 1000);
    fs.utimesSync(path.join(root, file), at, at);
  };
  const launch = (env: Record<string, string> = {}) => run(process.execPath, [path.join(root, 'bin', 'tessera.js')], { TESSERA_RUN_SOURCES: '', ...env });
  const NOTICE = '; running the sources through tsx (slower start; npm run build compiles them)\n';

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-launch-'));
    for (const file of ['tessera.js', 'compiled-host.js', 'resolve-faces.js']) write(path.join('bin', file), fs.readFileSync(path.join(ROOT_DIR, 'bin', file), 'utf8'));
    write('package.json', JSON.stringify({ name: 'tessera', exports: { './core': { types: './core/index.ts', default: './dist/core/index.js' } } }));
    fs.symlinkSync(path.join(ROOT_DIR, 'node_modules'), path.join(root, 'node_modules'));
    write('tsconfig.json', '{}');
    write('tsconfig.build.json', '{}');
    write('core/cli/main.ts', "const ran: string = 'sources';\nconsole.log(ran);\n");
    write('core/permissions.json', '[]');
    write('modules/notes/index.ts', 'export default {};\n');
    write('modules/notes/test/notes.test.ts', '');
    write('dist/core/cli/main.js', "console.log('compiled');\n");
    write('dist/.build-stamp', 'built\n');
    stampedAt = Date.now() - 60_000;
    for (const file of ['bin/tessera.js', 'bin/compiled-host.js', 'tsconfig.json', 'tsconfig.build.json', 'core/cli/main.ts', 'core/permissions.json', 'modules/notes/index.ts', 'modules/notes/test/notes.test.ts', 'dist/core/cli/main.js']) age(file, -10);
    age('dist/.build-stamp', 0);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('runs dist/ when its build is as new as every source, saying nothing', async () => {
    const result = await launch();
    expect(result.stdout, shown(result)).to.equal('compiled\n');
    expect(result.stderr).to.equal('');
  });

  it('runs the bundle of the build (bin/bundle.js) when it has one: one file to load instead of hundreds', async () => {
    write('dist/core/cli/main.bundle.js', "console.log('bundled');\n");
    age('dist/core/cli/main.bundle.js', -10);
    const result = await launch();
    expect(result.stdout, shown(result)).to.equal('bundled\n');
    expect(result.stderr).to.equal('');
  });

  it('runs the bundle when its V8 code cache is refused (made by another Node.js, or garbage)', async () => {
    write('dist/core/cli/main.bundle.js', "console.log('bundled');\n");
    age('dist/core/cli/main.bundle.js', -10);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { codeCacheOf } = require(path.join(root, 'bin', 'compiled-host.js')) as { codeCacheOf(file: string): string };
    fs.writeFileSync(codeCacheOf(path.join(root, 'dist', 'core', 'cli', 'main.bundle.js')), 'not V8 code');
    const result = await launch();
    expect(result.stdout, shown(result)).to.equal('bundled\n');
    expect(result.stderr).to.equal('');
  });

  it("does not count the modules' tests as sources", async () => {
    age('modules/notes/test/notes.test.ts', 30);
    expect((await launch()).stdout).to.equal('compiled\n');
  });

  for (const source of ['core/cli/main.ts', 'core/permissions.json', 'modules/notes/index.ts', 'tsconfig.build.json']) {
    it(`runs the sources through tsx, with a one-line notice, when ${source} is newer than the build`, async () => {
      age(source, 30);
      const result = await launch();
      expect(result.stdout, shown(result)).to.equal('sources\n');
      expect(result.stderr).to.equal(`tessera: dist/ is older than ${source}${NOTICE}`);
    });
  }

  it('runs the sources, with the notice, when nothing was built', async () => {
    fs.rmSync(path.join(root, 'dist'), { recursive: true });
    const result = await launch();
    expect(result.stdout, shown(result)).to.equal('sources\n');
    expect(result.stderr).to.equal(`tessera: dist/ holds no compiled build${NOTICE}`);
  });

  it('runs the sources without a notice when TESSERA_RUN_SOURCES=1 asks for them', async () => {
    const result = await launch({ TESSERA_RUN_SOURCES: '1' });
    expect(result.stdout, shown(result)).to.equal('sources\n');
    expect(result.stderr).to.equal('');
  });
});
