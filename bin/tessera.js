#!/usr/bin/env node
// Runs the compiled host under dist/ (built by `npm install`, or `npm run build`) when it is as new as
// the sources; otherwise the TypeScript sources through tsx, which starts about a second slower.
// TESSERA_RUN_SOURCES=1 asks for the sources (the tests run what is being changed).
const { compiledHost } = require('./compiled-host');

// Node.js 22.1+ keeps V8's compiled code between starts (a no-op on Node.js 20).
require('node:module').enableCompileCache?.();
// tessera/core and tessera/testing resolve to this install, also from an integrator's module folder.
require('./resolve-faces');

const host = process.env.TESSERA_RUN_SOURCES === '1' ? { reason: null } : compiledHost();
if (host.bundle) {
  require('./compiled-host').runBundle(host.main, module);
} else if (host.main) {
  require(host.main);
} else {
  if (host.reason) process.stderr.write(`tessera: ${host.reason}; running the sources through tsx (slower start; npm run build compiles them)\n`);
  require('tsx/cjs');
  require('../core/cli/main.ts');
}
