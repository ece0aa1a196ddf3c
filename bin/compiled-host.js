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
  return { main: fs.existsSync(bundle) ? bundle : path.join(root, 'dist', 'core', 'cli', 'main.js') };
}

module.exports = { ROOT, DIST, STAMP, compiledHost, sourceFiles };
