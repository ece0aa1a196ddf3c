import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020';
import openapiTS, { astToString } from 'openapi-typescript';
import { ROOT_DIR } from '../../../core/config/load-config';
import { startTestApp, TestApp } from '../../support/harness';
import { RouteTable } from '../../../core/http/route-table';
import { PermissionCatalog } from '../../../core/security/permission-catalog';

/** An integrator's client, typed by the generated `paths`: lists a shop's customers and creates one. */
const CLIENT = `
import type { paths } from './tessera-api';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type ListCustomers = paths['/api/v1/crm/customers']['get'];
export type CustomerQuery = NonNullable<ListCustomers['parameters']['query']>;
export type CustomerPage = Json<ListCustomers['responses'][200]>;
export type NewCustomer = Json<paths['/api/v1/crm/customers']['post']['requestBody']>;
type Created = Json<paths['/api/v1/crm/customers']['post']['responses'][201]>;

async function call<T>(base: string, token: string, url: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(base + url, {
    method: init.method ?? 'GET',
    headers: { authorization: 'Bearer ' + token, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) throw new Error(url + ' answered ' + response.status);
  return (await response.json()) as T;
}

export const withCustomFields: NewCustomer = { last_name: 'Lovelace', shop_id: 1, custom_fields: { size: 'M', visits: 3, consent: true, note: null } };

export async function createCustomer(base: string, token: string, input: NewCustomer): Promise<Created> {
  return call<Created>(base, token, '/api/v1/crm/customers', { method: 'POST', body: input });
}

export async function codesInShop(base: string, token: string, shopId: number): Promise<{ codes: string[]; next: string | null }> {
  const query: CustomerQuery = { shop_id: String(shopId), sort: 'code', limit: 200 };
  const page = await call<CustomerPage>(base, token, '/api/v1/crm/customers?' + new URLSearchParams(query as Record<string, string>));
  return { codes: (page.data ?? []).map((c) => c.code ?? ''), next: page.next_cursor ?? null };
}
`;

/** The same client getting the API wrong: each line must be refused by the generated types. */
const WRONG_CALLS = `
import type { CustomerQuery, NewCustomer } from './client';
export const noShop: NewCustomer = { last_name: 'Lovelace', shop_id: 'one' };
export const badSort: CustomerQuery = { sort: 'age' };
export const unknownField: NewCustomer = { last_name: 'Lovelace', shop_id: 1, nickname: 'Ada' };
`;

/** Every schema object of the document: parameters', request bodies' and responses'. */
function schemasIn(doc: any): Array<{ at: string; schema: Record<string, unknown> }> {
  const found: Array<{ at: string; schema: Record<string, unknown> }> = [];
  for (const [url, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const at = `${method.toUpperCase()} ${url}`;
      for (const p of op.parameters ?? []) found.push({ at: `${at} parameter ${p.name}`, schema: p.schema });
      for (const [type, media] of Object.entries<any>(op.requestBody?.content ?? {})) found.push({ at: `${at} body ${type}`, schema: media.schema });
      for (const [status, response] of Object.entries<any>(op.responses)) {
        for (const [type, media] of Object.entries<any>(response.content ?? {})) found.push({ at: `${at} ${status} ${type}`, schema: media.schema });
      }
    }
  }
  return found;
}

describe('the API document (/api/v1/openapi.json), with every module installed', function () {
  this.timeout(90_000);
  let t: TestApp;
  let token: string;
  let doc: any;
  let dir: string;

  before(async () => {
    t = await startTestApp({ modulesPath: [path.join(ROOT_DIR, 'examples', 'modules')] });
    token = await t.token(t.admin.email);
    doc = (await t.request().get('/api/v1/openapi.json').set('Authorization', `Bearer ${token}`).expect(200)).body;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-client-'));
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await t?.close();
  });

  it('is OpenAPI 3.1, valid under a standard validator', async () => {
    expect(doc.openapi).to.equal('3.1.0');
    expect(Object.keys(doc.paths)).to.include.members(['/api/v1/base/shops', '/api/v1/crm/customers']);
    await SwaggerParser.validate(structuredClone(doc));
  });

  it('holds only JSON Schema 2020-12 schemas, with null allowed by type lists, never by nullable', () => {
    const ajv = new Ajv2020({ strict: false });
    const schemas = schemasIn(doc);
    expect(schemas.length).to.be.greaterThan(50);
    const invalid = schemas.filter(({ schema }) => !ajv.validateSchema(schema)).map(({ at }) => `${at}: ${ajv.errorsText()}`);
    expect(invalid).to.deep.equal([]);
    expect(JSON.stringify(doc)).to.not.contain('"nullable"');
  });

  it('gives an integrator a typed client: generated in the run, typechecked, and working against the API', async () => {
    fs.writeFileSync(path.join(dir, 'tessera-api.ts'), astToString(await openapiTS(structuredClone(doc))));
    fs.writeFileSync(path.join(dir, 'client.ts'), CLIENT);
    fs.writeFileSync(path.join(dir, 'wrong-calls.ts'), WRONG_CALLS);
    // Compiled in a worker thread: a program this size holds the event loop for seconds (over ten on a
    // loaded CI machine), and a database connection being opened meanwhile then times out.
    const problems = await compileInWorker(dir, ['client.ts', 'wrong-calls.ts'], 'client.ts');
    expect(problems.filter((p) => p.file !== 'wrong-calls.ts'), 'the client typechecks').to.deep.equal([]);
    const refused = problems.filter((p) => p.file === 'wrong-calls.ts');
    expect(refused.map((p) => p.line).sort(), 'each wrong call is refused by the types').to.deep.equal([2, 3, 4]);
    expect(refused.map((p) => p.text).join('\n')).to.match(/'string' is not assignable to type 'number'/).and.match(/"age"/).and.match(/nickname/);

    const client = require(path.join(dir, 'out', 'client.js'));
    const base = await t.listen();
    const shop = await t.knex('base_shops').where({ company_id: t.companyId }).orderBy('id').first();
    const created = await client.createCustomer(base, token, { last_name: 'Lovelace', first_name: 'Ada', shop_id: Number(shop.id), phone: null, custom_fields: {} });
    const listed = await client.codesInShop(base, token, Number(shop.id));
    expect(listed.codes).to.include(created.code);
  });

  it('refuses a route schema written with nullable when the route is declared, naming the route and the place', () => {
    const routes = new RouteTable(() => new PermissionCatalog([]));
    expect(() =>
      routes.addApi('acme', {
        method: 'GET',
        path: '/things',
        permission: 'authenticated',
        summary: 'Things',
        response: { type: 'object', properties: { nullable: { type: 'boolean' }, note: { type: 'string', nullable: true } } },
        handler: async () => ({}),
      }),
    ).to.throw('Module "acme": route GET /things: response schema uses "nullable" at /properties/note; write the JSON Schema form');
  });

  it('finds nullable deep in a body, and takes a property merely named "nullable" for what it is', () => {
    const routes = new RouteTable(() => new PermissionCatalog([]));
    const route = (path: string, body: Record<string, unknown>) => ({ method: 'POST' as const, path, permission: 'authenticated', summary: 'Things', body, handler: async () => ({}) });
    expect(() => routes.addApi('acme', route('/named', { type: 'object', properties: { nullable: { type: 'boolean' } } }))).to.not.throw();
    expect(() => routes.addApi('acme', route('/deep', { type: 'object', properties: { lines: { type: 'array', items: { anyOf: [{ type: 'integer', nullable: true }] } } } }))).to.throw(
      'body schema uses "nullable" at /properties/lines/items/anyOf/0',
    );
  });
});

interface Problem {
  file: string;
  line: number;
  text: string;
}

/**
 * Typechecks `files` (strict, ES2022) in a worker thread and emits `emit` to `dir/out`; answers the
 * problems found, by file base name and 0-based line.
 */
function compileInWorker(dir: string, files: string[], emit: string): Promise<Problem[]> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    const path = require('node:path');
    const ts = require('typescript');
    const { dir, files, emit } = workerData;
    const program = ts.createProgram(files.map((f) => path.join(dir, f)), {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      outDir: path.join(dir, 'out'),
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ({
      file: path.basename(d.file ? d.file.fileName : ''),
      line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1,
      text: ts.flattenDiagnosticMessageText(d.messageText, ' '),
    }));
    program.emit(program.getSourceFile(path.join(dir, emit)));
    parentPort.postMessage(problems);
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { dir, files, emit } });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the compiler's worker exited ${code}`))));
  });
}
