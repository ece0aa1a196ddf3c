import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { parse } from 'csv-parse/sync';
import { startTestApp, type TestApp, type TestUser } from '../../support/harness';
import { bearer, newCompany, uniq } from '../resources/depot-app';

/**
 * The `stock` fixture module declares its import in about fifty lines (columns, keys, parse, row
 * writer) and nothing else: the frame gives it the preview, the mapping step, the job, the report
 * page, the rejected rows as CSV and re-imports that match instead of duplicating.
 */
describe('core import frame: a module import from its declaration alone @integration', function () {
  this.timeout(60_000);
  let t: TestApp;
  let companyId: number;
  let user: TestUser;
  let token: string;

  before(async () => {
    t = await startTestApp({ kernel: { modulesDir: path.join(__dirname, '..', '..', 'fixtures', 'imports') } });
    companyId = await newCompany(t);
    user = await t.createUser({ permissions: ['stock.item.import'], companyIds: [companyId] });
    token = await t.token(user.email);
  });
  after(async () => t?.close());

  const send = (csv: string, query: Record<string, unknown> = {}) =>
    supertest(t.app).post('/api/v1/stock/items/import').query(query).set(bearer(token)).set('Content-Type', 'text/csv').send(csv);
  const items = () => t.knex('stock_items').where({ company_id: companyId }).orderBy('sku').select('sku', 'name', 'quantity', 'barcode');

  it('previews every bad row with its line, field and reason, writing nothing', async () => {
    const p = uniq('P');
    const csv = `sku,name,quantity\n${p}-1,Bolt,4\n${p}-2,,x\n${p}-1,Bolt again,1\n,Nut,2\n`;
    const res = await send(csv, { dry_run: true }).expect(200);
    expect(res.body).to.include({ status: 'previewed', rows_total: 4, created: 1, error_count: 3 });
    expect(res.body.errors).to.deep.equal([
      { line: 3, field: 'quantity', reason: 'must be a whole number, 0 or more' },
      { line: 3, field: 'name', reason: 'is required' },
      { line: 4, field: 'sku', reason: 'same sku as line 2; an item appears once per file' },
      { line: 5, field: 'sku', reason: 'is required: rows are matched by sku' },
    ]);
    expect(await t.knex('stock_items').where({ company_id: companyId }).where('sku', 'like', `${p}%`).first()).to.equal(undefined);
  });

  it('imports by the chosen key, and the same file again changes nothing', async () => {
    const p = uniq('K');
    const csv = `sku,name,quantity,barcode\n${p}-1,Bolt,4,${p}B1\n${p}-2,Nut,2,${p}B2\n`;
    expect((await send(csv).expect(200)).body).to.include({ status: 'done', created: 2, updated: 0 });
    expect((await send(csv).expect(200)).body).to.include({ status: 'done', created: 0, updated: 0, unchanged: 2 });
    // Matched by barcode, a row without a sku renames the item it finds.
    const byBarcode = await send(`barcode,name\n${p}b2,Big nut\n`, { match_by: 'barcode' }).expect(200);
    expect(byBarcode.body, JSON.stringify(byBarcode.body)).to.include({ created: 0, updated: 1 });
    expect((await items()).filter((i) => i.sku.startsWith(p)).map((i) => i.name)).to.deep.equal(['Bolt', 'Big nut']);
    const badKey = await send(`sku,name\n${p}-3,X\n`, { match_by: 'colour' }).expect(422);
    expect(JSON.stringify(badKey.body)).to.match(/match_by/);
  });

  it('asks for a mapping when the headers differ from the template, then previews and imports with it', async () => {
    const p = uniq('M');
    const csv = `Reference;Title;Qty;Colour\n${p}-1;Washer;9;red\n`;
    const first = await send(csv, { dry_run: true }).expect(200);
    expect(first.body.status).to.equal('failed');
    expect(first.body.file_error).to.match(/column "Reference" is not an item field/);
    expect(first.body.unknown_headers).to.deep.equal(['Reference', 'Qty', 'Colour']);
    const mapped = await supertest(t.app).post(`/api/v1/stock/imports/${first.body.id}/mapping`).set(bearer(token)).send({ mapping: { Reference: 'sku', Qty: 'quantity', Colour: '' } }).expect(202);
    expect(mapped.body.mapping).to.deep.equal({ Reference: 'sku', Qty: 'quantity', Colour: '' });
    await t.drainJobs();
    const previewed = await supertest(t.app).get(`/api/v1/stock/imports/${first.body.id}`).set(bearer(token)).expect(200);
    expect(previewed.body).to.include({ status: 'previewed', created: 1, error_count: 0, file_error: null });
    const wrong = await supertest(t.app).post(`/api/v1/stock/imports/${first.body.id}/mapping`).set(bearer(token)).send({ mapping: { Qty: 'weight' } }).expect(422);
    expect(JSON.stringify(wrong.body)).to.match(/is not an item field/);
    await supertest(t.app).post(`/api/v1/stock/imports/${first.body.id}/run`).set(bearer(token)).expect(202);
    await t.drainJobs();
    expect((await items()).filter((i) => i.sku.startsWith(p))).to.deep.equal([{ sku: `${p}-1`, name: 'Washer', quantity: 9, barcode: null }]);
  });

  it('gives the rejected rows back as CSV with their reasons; fixed and sent again, they import', async () => {
    const p = uniq('R');
    const csv = `sku,name,quantity\n${p}-1,Bolt,4\n${p}-2,=cmd|' /C calc'!A0,-1\n${p}-3,,2\n${p}-4,Pin,1\n`;
    const report = (await send(csv).expect(200)).body;
    expect(report).to.include({ created: 2, error_count: 2 });
    const rejected = await supertest(t.app).get(`/api/v1/stock/imports/${report.id}/rejected`).set(bearer(token)).expect(200);
    expect(rejected.headers['content-type']).to.match(/text\/csv/);
    const rows = parse(rejected.text) as string[][];
    expect(rows).to.deep.equal([
      ['sku', 'name', 'quantity', 'import_error'],
      // A cell a spreadsheet would run as a formula is neutralised.
      [`${p}-2`, "'=cmd|' /C calc'!A0", "'-1", 'quantity: must be a whole number, 0 or more'],
      [`${p}-3`, '', '2', 'name: is required'],
    ]);
    const fixed = rejected.text.replace("'-1", '1').replace(`${p}-3,,2`, `${p}-3,Clip,2`);
    const again = (await send(fixed).expect(200)).body;
    expect(again).to.include({ created: 2, error_count: 0 });
    expect((await items()).filter((i) => i.sku.startsWith(p)).map((i) => i.name)).to.deep.equal(['Bolt', "=cmd|' /C calc'!A0", 'Clip', 'Pin']);
  });

  it('gives back every rejected row, beyond the thousand the report lists', async () => {
    const p = uniq('B');
    const lines = Array.from({ length: 2500 }, (_, i) => `${p}-${i},${i % 2 ? '' : 'Item'},${i}`);
    const report = (await send(`sku,name,quantity\n${lines.join('\n')}\n`).expect(200)).body;
    expect(report).to.include({ created: 1250, error_count: 1250 });
    expect(report.errors).to.have.length(1000);
    const rejected = await supertest(t.app).get(`/api/v1/stock/imports/${report.id}/rejected`).set(bearer(token)).expect(200);
    const rows = (parse(rejected.text) as string[][]).slice(1);
    expect(rows.map((r) => r[0])).to.deep.equal(lines.filter((_, i) => i % 2).map((l) => l.split(',')[0]));
  });

  it('takes two imports of one file at once: every row once, none refused', async () => {
    const p = uniq('C');
    const csv = `sku,name,quantity\n${Array.from({ length: 1500 }, (_, i) => `${p}-${i},Item ${i},${i}`).join('\n')}\n`;
    const [a, b] = await Promise.all([send(csv).expect(200), send(csv).expect(200)]);
    expect([a.body.error_count, b.body.error_count], JSON.stringify([a.body.errors.slice(0, 3), b.body.errors.slice(0, 3)])).to.deep.equal([0, 0]);
    expect(a.body.created + b.body.created).to.equal(1500);
    expect(a.body.created + a.body.unchanged + a.body.updated).to.equal(1500);
    expect(Number((await t.knex('stock_items').where({ company_id: companyId }).where('sku', 'like', `${p}-%`).count({ n: '*' }).first())!.n)).to.equal(1500);
  });

  it('serves the upload and report pages, with the mapping form and the rejected rows link', async () => {
    const agent = await t.login(user.email, user.password);
    const upload = await agent.get('/stock/items/import').expect(200);
    expect(upload.text).to.match(/data-api="\/api\/v1\/stock\/items\/import"/);
    const p = uniq('G');
    const posted = await agent.post('/stock/items/import', { csv: `Reference,name\n${p}-1,Bolt\n`, match_by: 'sku' }).expect(302);
    const page = posted.headers.location as string;
    await t.drainJobs();
    const failed = await agent.get(page).expect(200);
    expect(failed.text).to.match(/<label for="map_0">Reference<\/label>/);
    await agent.post(`${page}/mapping`, { map_0: 'sku' }).expect(302);
    await t.drainJobs();
    const previewed = await agent.get(page).expect(200);
    expect(previewed.text).to.match(/Import 1 row</);
    const bad = await agent.post('/stock/items/import', { csv: `sku,name\n${p}-2,\n`, match_by: 'sku' }).expect(302);
    await t.drainJobs();
    const report = await agent.get(bad.headers.location).expect(200);
    expect(report.text).to.include(`href="${bad.headers.location}/rejected.csv"`);
    const csv = await agent.get(`${bad.headers.location}/rejected.csv`).expect(200);
    expect(csv.text).to.equal(`sku,name,import_error\n${p}-2,,name: is required\n`);
    // Another company's user does not see the import.
    const other = await t.createUser({ permissions: ['stock.item.import'], companyIds: [await newCompany(t)] });
    await supertest(t.app).get(`/api/v1/stock/imports/${bad.headers.location.split('/').pop()}`).set(bearer(await t.token(other.email))).expect(404);
  });
});
