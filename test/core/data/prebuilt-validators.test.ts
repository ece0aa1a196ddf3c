import fs from 'node:fs';
import path from 'node:path';
import Module from 'node:module';
import { expect } from 'chai';
import type { ValidateFunction } from 'ajv';
import { prebuiltValidator, schemaHash, standaloneValidatorSource, type PrebuiltValidator } from '../../../core/data/prebuilt-validators';
import { CONFIG_SCHEMA_FILE, configSchemaAjv, ROOT_DIR } from '../../../core/config/load-config';
import { MANIFEST_SCHEMA, manifestSchemaAjv } from '../../../core/modules/manifest';

/** Loads a prebuilt validator's module text as the build's file would be loaded (ajv's runtime from this install). */
function loadSource(source: string): PrebuiltValidator {
  const file = path.join(ROOT_DIR, 'dist', 'prebuilt-under-test.js');
  const loaded = new Module(file) as Module & { _compile(code: string, file: string): void };
  loaded.filename = file;
  loaded.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(ROOT_DIR);
  loaded._compile(source, file);
  return loaded.exports as PrebuiltValidator;
}

/** What a validator says of a value: its verdict, the value as it leaves (defaults filled) and its errors. */
function verdict(validate: ValidateFunction, value: unknown) {
  const copy = JSON.parse(JSON.stringify(value));
  const ok = validate(copy);
  return { ok, value: copy, errors: (validate.errors ?? []).map((e) => [e.instancePath, e.keyword, e.message]) };
}

describe('prebuilt validators (compiled by the build, not at every start)', () => {
  const configSchema = JSON.parse(fs.readFileSync(CONFIG_SCHEMA_FILE, 'utf8'));

  it("judges a configuration as the start's own compile does: bad values refused with the key named, defaults filled", () => {
    const prebuilt = loadSource(standaloneValidatorSource(configSchemaAjv({ code: { source: true } }), configSchema));
    const compiled = configSchemaAjv().compile(configSchema);
    const defaults = JSON.parse(fs.readFileSync(path.join(ROOT_DIR, 'config', 'default.json'), 'utf8'));
    const bad = { ...defaults, port: 'eighty', admin: { email: 'not-an-email', password: 'short' }, surprise: true };
    const judged = verdict(prebuilt.default, bad);
    expect(judged.ok).to.equal(false);
    expect(judged.errors.map(([at]) => at)).to.include.members(['/port', '/admin/email', '/admin/password']);
    expect(judged).to.deep.equal(verdict(compiled, bad));
    expect(verdict(prebuilt.default, defaults)).to.deep.equal(verdict(compiled, defaults));
    expect(verdict(prebuilt.default, defaults).ok).to.equal(true);
  });

  it('judges a manifest as the compiled schema does, the field named', () => {
    const prebuilt = loadSource(standaloneValidatorSource(manifestSchemaAjv({ code: { source: true } }), MANIFEST_SCHEMA));
    const compiled = manifestSchemaAjv().compile(MANIFEST_SCHEMA);
    const bad = { name: 'Bad Name', version: '1', description: '', permissions: [{ name: 'x' }] };
    expect(verdict(prebuilt.default, bad).ok).to.equal(false);
    expect(verdict(prebuilt.default, bad)).to.deep.equal(verdict(compiled, bad));
    const good = { name: 'notes', version: '1.0.0', description: 'Notes' };
    expect(verdict(prebuilt.default, good)).to.deep.equal(verdict(compiled, good));
    expect(verdict(prebuilt.default, good).ok).to.equal(true);
  });

  it('is used only when made from the same schema, and not at all when the build wrote none', () => {
    const validate = (() => true) as unknown as ValidateFunction;
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(prebuiltValidator(() => ({ default: validate, schemaHash: schemaHash(schema) }), schema)).to.equal(validate);
    expect(prebuiltValidator(() => ({ default: validate, schemaHash: schemaHash(schema) }), { ...schema, required: ['a'] })).to.equal(null);
    expect(
      prebuiltValidator(() => {
        throw new Error('Cannot find module');
      }, schema),
    ).to.equal(null);
  });
});
