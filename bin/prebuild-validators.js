// A step of `npm run build`, after the TypeScript compiler: writes ajv's standalone code for the schemas
// every start validates (the configuration's, the manifests') beside their compiled files, so a start
// loads them instead of compiling them (core/data/prebuilt-validators.ts). Plain JavaScript, using the
// compiled core's own ajv settings, so the prebuilt validator is the one the start would compile.
const fs = require('node:fs');
const path = require('node:path');
const { DIST } = require('./compiled-host');

function prebuildValidators() {
  const { standaloneValidatorSource } = require(path.join(DIST, 'core', 'data', 'prebuilt-validators.js'));
  const { configSchemaAjv, CONFIG_SCHEMA_FILE } = require(path.join(DIST, 'core', 'config', 'load-config.js'));
  const { manifestSchemaAjv, MANIFEST_SCHEMA } = require(path.join(DIST, 'core', 'modules', 'manifest.js'));
  const targets = [
    [path.join(DIST, 'core', 'config', 'config.validator.js'), configSchemaAjv({ code: { source: true } }), JSON.parse(fs.readFileSync(CONFIG_SCHEMA_FILE, 'utf8'))],
    [path.join(DIST, 'core', 'modules', 'manifest.validator.js'), manifestSchemaAjv({ code: { source: true } }), MANIFEST_SCHEMA],
  ];
  for (const [file, ajv, schema] of targets) fs.writeFileSync(file, standaloneValidatorSource(ajv, schema));
}

module.exports = { prebuildValidators };

if (require.main === module) prebuildValidators();
