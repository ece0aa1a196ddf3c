// The second step of `npm run build`: packs the compiled host (dist/core, dist/modules) and the pure
// JavaScript libraries it loads at every start into one file, dist/core/cli/main.bundle.js. Node.js
// then reads, resolves and wraps one file instead of about 1,200, which was most of a start's time.
// Plain JavaScript: it runs before any TypeScript can.
//
// The bundle registers each compiled file it holds in require's cache under that file's own path
// under dist/, so code loaded from disk afterwards (a module's migrations, an integrator's module
// importing tessera/core, tessera/testing) gets the very objects the bundle uses: one core per process.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { DIST } = require('./compiled-host');

/** Where the bundle goes: beside dist/core/cli/main.js, so paths derived from __dirname stay true. */
const BUNDLE = path.join(DIST, 'core', 'cli', 'main.bundle.js');

/**
 * Left to require at run time: native code, libraries that read their own files through __dirname,
 * drivers and libraries only some starts load (lazily, by the code that needs them), and knex's
 * drivers for databases Tessera does not use.
 */
const EXTERNAL = [
  'better-sqlite3', 'mysql2', 'bull', 'ioredis', 'pdfkit', 'qrcode', 'nodemailer', 'libphonenumber-js',
  'swagger-ui-dist', 'chart.js', 'html5-qrcode', 'tsx', 'typescript', 'esbuild',
  'pg', 'pg-query-stream', 'sqlite3', 'mysql', 'oracledb', 'tedious',
  // A pretty printer pino may be asked to load by name, in a worker thread of its own.
  'pino-pretty',
];

/** The compiled files the bundle holds: core and the built-in modules, but not migrations (read only when migrating). */
function hostFiles() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'migrations' && entry.name !== 'test') walk(full);
      } else if (entry.name.endsWith('.js') && full !== BUNDLE) {
        files.push(full);
      }
    }
  };
  walk(path.join(DIST, 'core'));
  if (fs.existsSync(path.join(DIST, 'modules'))) walk(path.join(DIST, 'modules'));
  return files;
}

/** The bundle's entry: every host file by its path, loaded when first required, then the CLI. */
function entrySource(files) {
  const table = files.map((file) => `  [${JSON.stringify(path.relative(DIST, file))}, () => require(${JSON.stringify('./' + path.relative(DIST, file).split(path.sep).join('/'))})],`);
  return `'use strict';
const Module = require('node:module');
const path = require('node:path');
const DIST = path.resolve(__dirname, '..', '..');
const files = [
${table.join('\n')}
];
// A cache entry whose exports run the bundled file on first use: require() of that path, from
// anywhere, gets the bundle's copy; nothing runs before it is asked for.
for (const [relative, load] of files) {
  const filename = path.join(DIST, relative);
  if (Module._cache[filename]) continue;
  const entry = new Module(filename, null);
  entry.filename = filename;
  entry.loaded = true;
  // Where the file would look for packages: asked of it seldom if ever, and costly for 400 files at once.
  let paths;
  Object.defineProperty(entry, 'paths', { get: () => (paths ??= Module._nodeModulePaths(path.dirname(filename))), set(value) { paths = value; }, configurable: true, enumerable: true });
  Object.defineProperty(entry, 'exports', { get: load, set(value) { Object.defineProperty(entry, 'exports', { value, writable: true }); }, configurable: true });
  Module._cache[filename] = entry;
}
require('./core/cli/main.js');
`;
}

/** tessera/core, tessera/modules/<name>: the package's own faces, to their compiled files. */
const facesPlugin = {
  name: 'tessera-faces',
  setup(build) {
    const { name, exports: faces } = require(path.join(DIST, '..', 'package.json'));
    build.onResolve({ filter: new RegExp(`^${name}/`) }, (args) => {
      for (const [face, target] of Object.entries(faces)) {
        const request = `${name}${face.slice(1)}`;
        const [before, after = ''] = request.split('*');
        if (!request.includes('*') ? args.path === request : args.path.startsWith(before) && args.path.endsWith(after)) {
          const middle = request.includes('*') ? args.path.slice(before.length, args.path.length - after.length) : '';
          return { path: path.join(DIST, '..', target.default.replace('*', middle)) };
        }
      }
      return undefined;
    });
    // A library's optional driver or peer that is not installed (knex's mariadb, pg-native...): left to
    // a require at run time, which fails there as it would without the bundle.
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.pluginData === 'probed') return undefined;
      try {
        require.resolve(args.path, { paths: [args.resolveDir] });
        return undefined;
      } catch {
        return { path: args.path, external: true };
      }
    });
  },
};

async function bundle() {
  let esbuild;
  try {
    esbuild = require('esbuild');
  } catch {
    // esbuild comes with tsx; without it the compiled files still run, file by file (a slower start).
    process.stdout.write('tessera build: esbuild is not installed; the compiled host runs unbundled\n');
    return;
  }
  const files = hostFiles();
  await esbuild.build({
    stdin: { contents: entrySource(files), resolveDir: DIST, sourcefile: 'main.bundle-entry.js', loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: BUNDLE,
    external: EXTERNAL,
    plugins: [facesPlugin],
    // Class and function names stay as written: error messages and inversify name them.
    keepNames: true,
    // No comments nor layout: half the bytes to read at every start, and an ASCII-only source, which
    // V8 keeps one byte a character (a comment's "–" made all 5 MB two bytes a character).
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    charset: 'ascii',
    sourcemap: true,
    logLevel: 'error',
  });
  writeCodeCache();
}

/**
 * V8's compiled code for the bundle, made once its top level ran (every module a start loads is then
 * compiled), in a plain process of its own: V8 accepts a cache only under the flags it was made with.
 * Without one (this step failed) a start compiles the bundle itself.
 */
function writeCodeCache() {
  const script = `const fs = require('node:fs');
const host = require(${JSON.stringify(path.join(__dirname, 'compiled-host.js'))});
const file = ${JSON.stringify(BUNDLE)};
const script = host.runBundle(file, null, { useCache: false });
// Every compiled file of the bundle run once (the modules' code is otherwise loaded only at boot), so
// the cache holds them compiled too.
const dist = ${JSON.stringify(DIST + path.sep)};
for (const name of Object.keys(require.cache)) {
  if (!name.startsWith(dist) || name === file) continue;
  try {
    require(name);
  } catch {
    // A file that cannot run on its own here is compiled by the start that needs it.
  }
}
// Then one boot on an empty in-memory database, its web app built: the functions a start runs are
// compiled then, and the cache keeps them. A boot that fails here leaves a cache of the code alone.
const { Kernel } = require(dist + 'core/kernel/kernel.js');
// The secret key is a throwaway one (TESSERA_SECRET_KEY, set below): the installation's own is made by its first start.
const overrides = { databaseUrl: 'sqlite://:memory:', redisUrl: null, modulesPath: [], logLevel: 'silent', demo: false, instanceName: 'tessera-build', sessionSecret: 'tessera-build-warm-up' };
Kernel.boot({ config: overrides, runJobs: false })
  .then(async (kernel) => {
    kernel.http();
    await kernel.close();
  })
  .catch((error) => process.stderr.write('the warm-up boot failed: ' + error.message + '\\n'))
  .finally(() => {
    fs.writeFileSync(host.codeCacheOf(file), script.createCachedData());
    process.exit(0);
  });`;
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  // The warm-up boot's migrations encrypt with the installation's key: a throwaway one here, so the
  // build neither reads nor makes data/secret.key (a key made at build time would ship in every image).
  env.TESSERA_SECRET_KEY = require('node:crypto').randomBytes(32).toString('hex');
  for (const old of fs.readdirSync(path.dirname(BUNDLE)).filter((f) => f.startsWith(`${path.basename(BUNDLE)}.`) && f.endsWith('.v8cache'))) {
    fs.rmSync(path.join(path.dirname(BUNDLE), old));
  }
  const result = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  if (result.stderr) process.stdout.write(`tessera build: code cache: ${result.stderr.trim().split('\n')[0]}\n`);
  if (result.status !== 0) process.stdout.write(`tessera build: no code cache for the bundle (${(result.stderr || '').trim().split('\n')[0]}); starts compile it\n`);
}

module.exports = { bundle, BUNDLE, EXTERNAL };

if (require.main === module) {
  bundle().catch((error) => {
    process.stderr.write(`tessera build: the bundle failed: ${error.message}\n`);
    process.exit(1);
  });
}
