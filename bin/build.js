#!/usr/bin/env node
// `npm run build`, also run by `npm install` (prepare): compiles core and the built-in modules into
// dist/ so `serve` and `worker` start without compiling TypeScript. Views, manifests and other files
// stay where they are; the compiled host reads them from the repository.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT, DIST, STAMP } = require('./compiled-host');

let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
} catch {
  // An install without dev dependencies: Tessera still runs, from its sources through tsx.
  process.stdout.write('tessera build: typescript is not installed; Tessera will run its sources through tsx\n');
  process.exit(0);
}

fs.rmSync(DIST, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write('tessera build: the TypeScript compiler failed (above); nothing was written to dist/\n');
  process.exit(result.status ?? 1);
}
// The validators of the configuration and of the manifests, compiled now rather than at every start.
require('./prebuild-validators').prebuildValidators();
// One file for the compiled host (bin/bundle.js): a start then loads it instead of about 1,200 files.
require('./bundle')
  .bundle()
  .then(
    () => fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`),
    (error) => {
      process.stderr.write(`tessera build: the bundle failed (${error.message}); the build is left unstamped\n`);
      process.exit(1);
    },
  );
