#!/usr/bin/env node
/**
 * Rewrites module code's imports of Tessera's internals to its two faces:
 *   '../../../core/security/request-context'  ->  'tessera/core'     (core/index.ts)
 *   '../../../test/support/harness'           ->  'tessera/testing'  (test/support/testing.ts)
 * A name the face does not export yet is added to the face (`export type` for types); a name the face
 * exports under another name is imported under that one (`formIdList as idList`). A test file takes a
 * name from tessera/testing when that face exports it. All of a file's face imports become one import.
 *
 *   node bin/codemods/core-imports.js [--check] [folders or files...]   (default: modules examples)
 *
 * Without folders it also corrects, in core/, test/, bench/ and bin/, relative imports of the core files
 * this branch moved (MOVED below), so code written before a move compiles after it.
 *
 * Idempotent: a second run changes nothing. --check changes nothing and exits 1 when a run would.
 * Needs only `typescript` (a dev dependency) to parse.
 */
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..', '..');
const FACES = [
  { specifier: 'tessera/testing', file: path.join(ROOT, 'test/support/testing.ts'), covers: path.join(ROOT, 'test/support') + path.sep },
  { specifier: 'tessera/core', file: path.join(ROOT, 'core/index.ts'), covers: path.join(ROOT, 'core') + path.sep },
];
const WIDTH = 150;
/**
 * Core files this codemod's branch moved (old path -> new path, from the repository's root). An import of
 * an old path, in code written before the move, is read as the new one: in modules and examples it then
 * goes to the face like any other; elsewhere (core, test, bench, bin) its relative path is corrected.
 */
const MOVED = {
  'core/http/errors.ts': 'core/errors.ts',
  'core/http/json-schema.ts': 'core/json-schema.ts',
  // base's re-exports of core's helpers are gone: the helpers live once, in core.
  'modules/base/api/common-schemas.ts': 'core/http/common-schemas.ts',
  'modules/base/forms/like.ts': 'core/db/like.ts',
  'modules/base/forms/form-input.ts': 'core/http/form-input.ts',
};
/** Where only moved paths are corrected: code that may reach into core's files. */
const PATH_FIX_ONLY = ['core', 'test', 'bench', 'bin'];

const args = process.argv.slice(2);
const check = args.includes('--check');
const roots = args.filter((a) => !a.startsWith('--'));
const targets = (roots.length ? roots : ['modules', 'examples']).map((p) => path.resolve(p));

// ---- reading TypeScript files -------------------------------------------------------------------

const parsed = new Map();
function parse(file) {
  if (!parsed.has(file)) parsed.set(file, ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
  return parsed.get(file);
}

function resolveRelative(from, specifier) {
  if (!specifier.startsWith('.')) return null;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.d.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  const moved = MOVED[path.relative(ROOT, `${base}.ts`).replace(/\\/g, '/')];
  return moved ? path.join(ROOT, moved) : null;
}

/** A relative specifier from `file` to a TypeScript file, as an import writes it. */
function specifierOf(file, target) {
  const relative = path.relative(path.dirname(file), target).replace(/\\/g, '/').replace(/(\/index)?\.ts$/, '');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/** Core, tests, bench and bin keep their relative imports; an import of a moved file gets its new path. */
function fixMovedPaths(file) {
  const source = parse(file);
  let out = source.getFullText();
  const found = [];
  const visit = (node) => {
    if (ts.isStringLiteral(node) && node.parent && (ts.isImportDeclaration(node.parent) || ts.isExportDeclaration(node.parent) ||
      (ts.isCallExpression(node.parent) && (node.parent.expression.kind === ts.SyntaxKind.ImportKeyword || node.parent.expression.getText() === 'require')) ||
      ts.isLiteralTypeNode(node.parent))) {
      const base = path.resolve(path.dirname(file), node.text);
      const moved = node.text.startsWith('.') && !fs.existsSync(`${base}.ts`) && MOVED[path.relative(ROOT, `${base}.ts`).replace(/\\/g, '/')];
      if (moved) found.push({ node, text: specifierOf(file, path.join(ROOT, moved)) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (!found.length) return;
  for (const { node, text } of found.sort((a, b) => b.node.getStart() - a.node.getStart())) {
    out = out.slice(0, node.getStart() + 1) + text + out.slice(node.end - 1);
  }
  if (!check) fs.writeFileSync(file, out);
  parsed.delete(file);
  report.files.push(path.relative(ROOT, file));
}

const hasExport = (node) => (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export) !== 0;

/**
 * Where an exported name is declared, following re-exports: `{ file, name, type }`, `type` true for an
 * interface or type alias (or a name only ever re-exported as a type). Null when it cannot be found.
 */
function declarationOf(file, name, seen = new Set()) {
  const key = `${file}#${name}`;
  if (seen.has(key)) return null;
  seen.add(key);
  const source = parse(file);
  const stars = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const target = statement.moduleSpecifier && resolveRelative(file, statement.moduleSpecifier.text);
      if (!statement.exportClause) {
        if (target) stars.push(target);
        continue;
      }
      if (!ts.isNamedExports(statement.exportClause)) continue;
      for (const element of statement.exportClause.elements) {
        if (element.name.text !== name) continue;
        const original = (element.propertyName ?? element.name).text;
        const typeOnly = statement.isTypeOnly || element.isTypeOnly;
        const found = target ? declarationOf(target, original, seen) : localBinding(file, source, original, seen);
        return found ? { ...found, type: found.type || typeOnly } : null;
      }
      continue;
    }
    if (!hasExport(statement)) continue;
    if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      if (statement.name.text === name) return { file, name, type: true };
    } else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) {
      if (statement.name?.text === name) return { file, name, type: false };
    } else if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return { file, name, type: false };
    }
  }
  for (const star of stars) {
    const found = declarationOf(star, name, seen);
    if (found) return found;
  }
  return null;
}

/** `import { x } from './y'; export { x }`: follows the local name to its import. */
function localBinding(file, source, local, seen) {
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !statement.importClause?.namedBindings) continue;
    const bindings = statement.importClause.namedBindings;
    if (!ts.isNamedImports(bindings)) continue;
    for (const element of bindings.elements) {
      if (element.name.text !== local) continue;
      const target = resolveRelative(file, statement.moduleSpecifier.text);
      return target ? declarationOf(target, (element.propertyName ?? element.name).text, seen) : null;
    }
  }
  const found = source.statements.some((s) => (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && s.name.text === local);
  return found ? { file, name: local, type: true } : { file, name: local, type: false };
}

// ---- the faces ----------------------------------------------------------------------------------

/** The names a face exports, each with its declaration. Re-read after the face is extended. */
const faceExports = new Map();
function exportsOf(face) {
  if (faceExports.has(face.file)) return faceExports.get(face.file);
  parsed.delete(face.file);
  if (!fs.existsSync(face.file)) return new Map();
  const names = new Map();
  for (const statement of parse(face.file).statements) {
    if (!ts.isExportDeclaration(statement) || !statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    for (const element of statement.exportClause.elements) {
      names.set(element.name.text, declarationOf(face.file, element.name.text));
    }
  }
  faceExports.set(face.file, names);
  return names;
}

const sameDeclaration = (a, b) => a && b && a.file === b.file && a.name === b.name;

function exportedAs(face, declaration) {
  for (const [name, d] of exportsOf(face)) if (sameDeclaration(d, declaration)) return name;
  return null;
}

/** Adds `export { name } from './path'` (or `export type`) to the face; returns the exported name. */
function extendFace(face, fromFile, original, declaration) {
  const taken = exportsOf(face);
  let exported = original;
  if (taken.has(exported)) {
    const prefix = path.basename(fromFile, '.ts').replace(/-(\w)/g, (_, c) => c.toUpperCase());
    exported = prefix + original[0].toUpperCase() + original.slice(1);
  }
  const relative = specifierOf(face.file, fromFile);
  const spec = exported === original ? original : `${original} as ${exported}`;
  const kind = declaration.type ? 'export type' : 'export';
  if (!check) fs.writeFileSync(face.file, withExport(fs.readFileSync(face.file, 'utf8'), kind, spec, relative));
  report.faces.push(`${path.relative(ROOT, face.file)}: ${kind} { ${spec} } from '${relative}'`);
  parsed.delete(face.file);
  if (check) taken.set(exported, declaration);
  else faceExports.delete(face.file);
  return exported;
}

const ADDED = '// Added by bin/codemods/core-imports.js (move a line up to its group when you like)';

/** The face's text with `name` exported from `relative`, in the codemod's section, one line per file and kind. */
function withExport(text, kind, spec, relative) {
  let body = text.endsWith('\n') ? text : `${text}\n`;
  if (!body.includes(ADDED)) body += `\n${ADDED}\n`;
  const at = body.indexOf(ADDED) + ADDED.length + 1;
  const lines = body.slice(at).split('\n').filter(Boolean);
  const pattern = new RegExp(`^${kind} \\{ (.*) \\} from '${relative.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}';$`);
  const index = lines.findIndex((l) => pattern.test(l));
  if (index >= 0) lines[index] = `${kind} { ${lines[index].match(pattern)[1]}, ${spec} } from '${relative}';`;
  else lines.push(`${kind} { ${spec} } from '${relative}';`);
  return `${body.slice(0, at)}${lines.join('\n')}\n`;
}

// ---- rewriting one file ------------------------------------------------------------------------

const report = { files: [], faces: [], skipped: [], notes: [] };

function isTestFile(file) {
  return /\.test\.ts$/.test(file) || file.split(path.sep).includes('test');
}

function faceFor(target) {
  return FACES.find((face) => target === face.file || target.startsWith(face.covers)) ?? null;
}

/** The face and name an imported name is reached by. */
function mapName(file, face, target, original, typeOnly) {
  const declaration = target === face.file ? declarationOf(face.file, original) : declarationOf(target, original);
  if (!declaration) {
    // Moved to another core file since the import was written: the face's export of that name stands for it.
    if (exportsOf(face).has(original)) {
      report.notes.push(`${path.relative(ROOT, file)}: '${original}' is no longer in ${path.relative(ROOT, target)}; took ${face.specifier}'s`);
      return { face, name: original, type: typeOnly || Boolean(exportsOf(face).get(original)?.type) };
    }
    throw new Error(`${path.relative(ROOT, file)}: cannot find '${original}' in ${path.relative(ROOT, target)}, nor in ${face.specifier}`);
  }
  if (face.specifier === 'tessera/core' && isTestFile(file)) {
    const testing = FACES.find((f) => f.specifier === 'tessera/testing');
    const name = exportedAs(testing, declaration);
    if (name) return { face: testing, name, type: typeOnly || declaration.type };
  }
  if (target === face.file) return { face, name: original, type: typeOnly };
  const name = exportedAs(face, declaration) ?? extendFace(face, target, original, declaration);
  return { face, name, type: typeOnly };
}

function rewrite(file) {
  const source = parse(file);
  const text = source.getFullText();
  /** statement -> its replacement ('' removes it) */
  const edits = new Map();
  /** face specifier -> { statements that held its names, specifiers by local name } */
  const merged = new Map();
  const take = (specifier, statement, spec) => {
    const entry = merged.get(specifier) ?? { statements: [], specs: new Map() };
    merged.set(specifier, entry);
    if (!entry.statements.includes(statement)) entry.statements.push(statement);
    const before = entry.specs.get(spec.local);
    entry.specs.set(spec.local, before ? { ...spec, type: before.type && spec.type } : spec);
  };
  let deep = false;

  for (const statement of source.statements) {
    const isImport = ts.isImportDeclaration(statement);
    if (!isImport && !(ts.isExportDeclaration(statement) && statement.moduleSpecifier)) continue;
    const specifier = statement.moduleSpecifier.text;
    const clause = isImport ? statement.importClause : null;
    const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings : null;
    if (FACES.some((f) => f.specifier === specifier)) {
      if (named && !clause.name) {
        for (const e of named.elements) take(specifier, statement, { imported: (e.propertyName ?? e.name).text, local: e.name.text, type: clause.isTypeOnly || e.isTypeOnly });
      }
      continue;
    }
    const target = resolveRelative(file, specifier);
    const face = target && faceFor(target);
    if (!face) continue;
    if (!isImport) {
      if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) {
        report.skipped.push(`${path.relative(ROOT, file)}: 'export *' from ${specifier}`);
        continue;
      }
      deep = true;
      const byFace = new Map();
      for (const e of statement.exportClause.elements) {
        const m = mapName(file, face, target, (e.propertyName ?? e.name).text, statement.isTypeOnly || e.isTypeOnly);
        const names = byFace.get(m.face.specifier) ?? [];
        names.push(`${m.type && !statement.isTypeOnly ? 'type ' : ''}${m.name === e.name.text ? m.name : `${m.name} as ${e.name.text}`}`);
        byFace.set(m.face.specifier, names);
      }
      const open = `export ${statement.isTypeOnly ? 'type ' : ''}{`;
      edits.set(statement, [...byFace].map(([spec, names]) => layout(open, names, `} from '${spec}';`)).join('\n'));
      continue;
    }
    if (!clause || clause.name || !named) {
      report.skipped.push(`${path.relative(ROOT, file)}: ${clause ? 'default or namespace import' : 'side-effect import'} of ${specifier}`);
      continue;
    }
    deep = true;
    for (const e of named.elements) {
      const m = mapName(file, face, target, (e.propertyName ?? e.name).text, clause.isTypeOnly || e.isTypeOnly);
      take(m.face.specifier, statement, { imported: m.name, local: e.name.text, type: m.type });
    }
  }
  if (!deep) return false;

  // A face's names, merged into one import, stand where the first statement that held any of them stood.
  const lines = new Map();
  for (const [specifier, entry] of merged) {
    for (const statement of entry.statements) if (!lines.has(statement)) lines.set(statement, []);
    const specs = [...entry.specs.values()];
    const allTypes = specs.every((s) => s.type);
    const names = specs.map((s) => `${s.type && !allTypes ? 'type ' : ''}${s.imported === s.local ? s.local : `${s.imported} as ${s.local}`}`);
    const anchor = [...entry.statements].sort((a, b) => a.getStart() - b.getStart())[0];
    lines.get(anchor).push(layout(`import ${allTypes ? 'type ' : ''}{`, names, `} from '${specifier}';`));
  }
  for (const [statement, list] of lines) edits.set(statement, list.join('\n'));

  let out = text;
  for (const [statement, replacement] of [...edits].sort((a, b) => b[0].getStart() - a[0].getStart())) {
    const end = replacement === '' && out[statement.end] === '\n' ? statement.end + 1 : statement.end;
    out = out.slice(0, statement.getStart()) + replacement + out.slice(end);
  }
  if (out === text) return false;
  if (!check) fs.writeFileSync(file, out);
  parsed.delete(file);
  report.files.push(path.relative(ROOT, file));
  return true;
}

function layout(open, names, close) {
  const oneLine = `${open} ${names.join(', ')} ${close}`;
  return oneLine.length <= WIDTH ? oneLine : `${open}\n${names.map((n) => `  ${n},`).join('\n')}\n${close}`;
}

// ---- walking -----------------------------------------------------------------------------------

function* walk(target) {
  if (!fs.existsSync(target)) return;
  if (fs.statSync(target).isFile()) {
    if (/\.ts$/.test(target) && !target.endsWith('.d.ts')) yield target;
    return;
  }
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
    yield* walk(path.join(target, entry.name));
  }
}

for (const target of targets) for (const file of walk(target)) rewrite(file);
if (!roots.length) for (const folder of PATH_FIX_ONLY) for (const file of walk(path.join(ROOT, folder))) fixMovedPaths(file);

for (const line of report.faces) process.stdout.write(`face  ${line}\n`);
for (const file of report.files) process.stdout.write(`${check ? 'would rewrite' : 'rewrote'}  ${file}\n`);
for (const line of report.skipped) process.stderr.write(`left as is  ${line}\n`);
for (const line of report.notes) process.stdout.write(`note  ${line}\n`);
process.stdout.write(`core-imports: ${report.files.length} file(s) ${check ? 'to rewrite' : 'rewritten'}, ${report.faces.length} export(s) ${check ? 'to add' : 'added'} to the faces\n`);
if (check && (report.files.length || report.faces.length)) process.exit(1);
