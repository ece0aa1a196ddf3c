// Whether dist/ holds a compiled host as new as the sources: plain JavaScript, since it decides
// before any TypeScript can run. Used by bin/tessera.js and bin/build.js.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
/** Written by bin/build.js once the whole build succeeded. */
const STAMP = path.join(DIST, '.build-stamp');

/** What the compiled host is built from: core's TypeScript and JSON, the built-in modules' TypeScript, the build settings. */
function sourceFiles(root = ROOT) {
  const files = ['tsconfig.json', 'tsconfig.build.json'].map((f) => path.join(root, f));
  const walk = (dir, wanted) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'test' && entry.name !== 'node_modules') walk(full, wanted);
      } else if (wanted.test(entry.name) && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
        files.push(full);
      }
    }
  };
  walk(path.join(root, 'core'), /\.(ts|json)$/);
  if (fs.existsSync(path.join(root, 'modules'))) walk(path.join(root, 'modules'), /\.ts$/);
  // tessera/testing, the harness an integrator's tests import, is compiled too.
  if (fs.existsSync(path.join(root, 'test', 'support'))) walk(path.join(root, 'test', 'support'), /\.ts$/);
  return files;
}

/**
 * `{ main }` when dist/ holds a complete build not older than any source, else `{ reason }` saying
 * why the sources must run instead.
 */
function compiledHost(root = ROOT) {
  const stamp = path.join(root, 'dist', '.build-stamp');
  if (!fs.existsSync(stamp)) return { reason: 'dist/ holds no compiled build' };
  const builtAt = fs.statSync(stamp).mtimeMs;
  for (const file of sourceFiles(root)) {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && stat.mtimeMs > builtAt) return { reason: `dist/ is older than ${path.relative(root, file)}` };
  }
  // The bundle of the same build (bin/bundle.js) when there is one: one file to load instead of hundreds.
  const bundle = path.join(root, 'dist', 'core', 'cli', 'main.bundle.js');
  return fs.existsSync(bundle) ? { main: bundle, bundle: true } : { main: path.join(root, 'dist', 'core', 'cli', 'main.js') };
}

/**
 * Where V8's compiled code for a bundle is kept (made by bin/bundle.js). The name carries the bundle's
 * size and time, so a bundle rebuilt since never meets a cache made for another: V8 itself checks
 * little more than the length of the source.
 */
function codeCacheOf(file) {
  const stat = fs.statSync(file);
  return `${file}.${stat.size}-${Math.floor(stat.mtimeMs)}.v8cache`;
}

/**
 * Runs a bundle as require() would, but compiled with V8's code cache of it when there is one: parsing
 * and compiling the bundle's megabytes was a third of a start. A cache V8 refuses (another Node.js, other
 * flags) only costs the compiling it would have saved. Returns the vm.Script, which bin/bundle.js asks
 * for the cache once the bundle's top level has run.
 */
function runBundle(file, parent = null, { useCache = true } = {}) {
  const Module = require('node:module');
  const vm = require('node:vm');
  let cachedData;
  if (useCache) {
    try {
      cachedData = fs.readFileSync(codeCacheOf(file));
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
    // import() inside the bundle (knex loading an ES module migration) works as it does under require().
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const bundle = new Module(file, parent);
  bundle.filename = file;
  bundle.paths = Module._nodeModulePaths(path.dirname(file));
  Module._cache[file] = bundle;
  try {
    script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, path.dirname(file));
  } catch (error) {
    delete Module._cache[file];
    throw error;
  }
  bundle.loaded = true;
  return script;
}

module.exports = { ROOT, DIST, STAMP, compiledHost, sourceFiles, runBundle, codeCacheOf };
