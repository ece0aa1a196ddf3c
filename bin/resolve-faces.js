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

/**
 * `tessera/core` -> /install/core/index.ts, for every face the package exports with its source; a
 * pattern (`tessera/modules/*` -> modules/<name>/api.ts, a built-in module's public face) matches one segment.
 */
const TARGETS = Object.entries(faces)
  .filter(([, target]) => target && typeof target === 'object' && typeof target.types === 'string')
  .map(([face, target]) => ({ request: `${name}${face.slice(1)}`, file: path.join(ROOT, target.types) }));

function targetOf(request) {
  if (typeof request !== 'string' || !request.startsWith(`${name}/`)) return null;
  for (const { request: face, file } of TARGETS) {
    if (!face.includes('*')) {
      if (face === request) return file;
      continue;
    }
    const [before, after] = face.split('*');
    const middle = request.startsWith(before) && request.endsWith(after) ? request.slice(before.length, request.length - after.length) : null;
    if (middle && /^[a-z][a-z0-9_]*$/.test(middle)) return file.replace('*', middle);
  }
  return null;
}

function registerFaces() {
  const resolver = Module;
  if (resolver._resolveFilename.tesseraFaces) return;
  const original = resolver._resolveFilename;
  const resolveFace = function (request, ...rest) {
    return original.call(this, targetOf(request) ?? request, ...rest);
  };
  resolveFace.tesseraFaces = true;
  resolver._resolveFilename = resolveFace;
}

registerFaces();

module.exports = { registerFaces, targetOf };
