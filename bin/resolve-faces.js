// `tessera/core`, `tessera/testing`: Tessera's faces (package.json `exports`), found from anywhere. Code
// inside this install finds them by the package's own name; an integrator's module in a folder of its
// own (a configured module path, its tests run by `tessera test`) has no Tessera in a node_modules above
// it, so this hook maps those names to this install's files. It maps to the TypeScript source; a compiled
// host turns that into its twin under dist/ (core/modules/code-loader.ts), so there is one core in a process.
// Plain JavaScript: bin/tessera.js and `tessera test` install it before any TypeScript runs.
const Module = require('node:module');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const { name, exports: faces } = require('../package.json');

/** `tessera/core` -> /install/core/index.ts, for every face the package exports with its source. */
const TARGETS = new Map(
  Object.entries(faces)
    .filter(([, target]) => target && typeof target === 'object' && typeof target.types === 'string')
    .map(([face, target]) => [`${name}${face.slice(1)}`, path.join(ROOT, target.types)]),
);

function registerFaces() {
  const resolver = Module;
  if (resolver._resolveFilename.tesseraFaces) return;
  const original = resolver._resolveFilename;
  const resolveFace = function (request, ...rest) {
    return original.call(this, TARGETS.get(request) ?? request, ...rest);
  };
  resolveFace.tesseraFaces = true;
  resolver._resolveFilename = resolveFace;
}

registerFaces();

module.exports = { registerFaces, TARGETS };
