import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import type { TestApp, TestAgent } from '../../support/harness';
import { DEPOT_ALL, DEPOT_READ, startDepotApp, uniq } from './depot-app';

describe('core resources: the pages derived from a declaration @integration', () => {
  let t: TestApp;
  let writer: TestAgent;
  let reader: TestAgent;

  before(async () => {
    t = await startDepotApp();
    const w = await t.createUser({ permissions: [...DEPOT_ALL, 'core.audit.read'] });
    writer = await t.login(w.email, w.password);
    const r = await t.createUser({ permissions: DEPOT_READ });
    reader = await t.login(r.email, r.password);
  });
  after(async () => t.close());

  const newShelf = async (name = `Shelf ${uniq('')}`) => {
    const made = await writer.post('/depot/shelves', { code: uniq('s'), name }).expect(302);
    return { id: Number(made.headers.location.split('/').pop()), name };
  };
  const newArticle = async (form: Record<string, unknown>) => {
    const made = await writer.post('/depot/articles', { name: 'Article', price: '1', ...form }).expect(302);
    return made.headers.location as string;
  };

  it('lists with a search, filters, sortable headers and keyset pages', async () => {
    const tag = uniq('LP');
    for (let i = 0; i < 4; i++) await newArticle({ sku: `${tag}${i}`, name: `${tag} ${i}`, price: `${i + 1}.50`, status: i === 3 ? 'published' : 'draft' });
    const page = await reader.get(`/depot/articles?q=${tag}&sort=-price`).expect(200);
    expect(page.text).to.contain('<h1>Articles</h1>');
    expect(page.text).to.contain('placeholder="SKU or name starts with…"');
    expect(page.text).to.match(/<select id="list-status" name="status">\s*<option value="">Any<\/option>\s*<option value="draft">Draft<\/option>/);
    expect(page.text).to.contain('<input type="date" id="list-available_on_from" name="available_on_from" value="">');
    expect(page.text).to.contain(`<th scope="col" aria-sort="descending"><a class="sort-link" href="?q=${tag}&amp;sort=price">Price`);
    expect(page.text).to.contain(`href="?q=${tag}&amp;sort=name">Name</a>`);
    const order = [...page.text.matchAll(new RegExp(`>(${tag}\\d)</a>`, 'g'))].map((m) => m[1]);
    expect(order).to.deep.equal([3, 2, 1, 0].map((i) => `${tag}${i}`));
    expect(page.text).to.contain('<td class="num nowrap">4.50 EUR</td>');
    expect(page.text).to.contain('<span class="badge badge-info">Published</span>');
    expect(page.text).not.to.contain('href="/depot/articles/new"');

    const filtered = await reader.get(`/depot/articles?q=${tag}&status=published`).expect(200);
    expect([...filtered.text.matchAll(new RegExp(`>(${tag}\\d)</a>`, 'g'))].map((m) => m[1])).to.deep.equal([`${tag}3`]);
    const cheap = await reader.get(`/depot/articles?q=${tag}&price_to=2.50&sort=sku`).expect(200);
    expect([...cheap.text.matchAll(new RegExp(`>(${tag}\\d)</a>`, 'g'))].map((m) => m[1])).to.deep.equal([`${tag}0`, `${tag}1`]);

    const first = await t.kernel.container.get<any>(Symbol.for('depot.article')).page(await t.contextFor(t.otherAdmin.id), { limit: 1 });
    expect(first.data).to.deep.equal([]);
    const paged = await writer.get(`/depot/articles?q=${tag}&sort=name`).expect(200);
    expect(paged.text).not.to.contain('rel="next"');

    const bad = await reader.get(`/depot/articles?after=nonsense&status=lost`).expect(422);
    expect(bad.text).to.contain('status: must be one of: draft, published, retired');
    expect(bad.text).to.contain('after: is not a valid cursor');
  });

  it('creates through the form: errors beside the fields, what was typed kept, amounts typed as people write them', async () => {
    const form = await writer.get('/depot/articles/new').expect(200);
    expect(form.text).to.contain('<h1>New article</h1>');
    expect(form.text).to.match(/<select id="field-shelf_id" name="shelf_id">\s*<option value="">—<\/option>/);
    expect(form.text).not.to.contain('name="stock_value"');
    expect(form.text).not.to.contain('Leave empty to keep the current one');

    const invalid = await writer.post('/depot/articles', { sku: 'bad sku', name: '', price: '12.345', tax_rate: 'lots', available_on: '2025-13-01', pin: '1' }).expect(422);
    for (const name of ['sku', 'name', 'price', 'tax_rate', 'available_on', 'pin']) expect(invalid.text).to.contain(`id="field-${name}-error"`);
    expect(invalid.text).to.contain('<p class="field-error" id="field-price-error">must be an amount in EUR, like 12.50</p>');
    expect(invalid.text).to.contain('Please correct these fields: SKU, Name, Price, Tax rate, Available on, PIN');
    // Defaults show as people type them, and bounds are said in the same terms.
    expect(form.text).to.contain('id="field-tax_rate" name="tax_rate" value="20.00"');
    const bounds = await writer.post('/depot/articles', { sku: uniq('B'), name: 'Bounds', price: '-1', tax_rate: '100.01' }).expect(422);
    expect(bounds.text).to.contain('<p class="field-error" id="field-price-error">must be at least 0.00 EUR</p>');
    expect(bounds.text).to.contain('<p class="field-error" id="field-tax_rate-error">must be at most 100.00 %</p>');
    expect(invalid.text).to.contain('value="bad sku"');
    expect(invalid.text).to.contain('value="12.345"');
    expect(invalid.text).not.to.match(/id="field-pin"[^>]*value=/);

    const shelf = await newShelf();
    const sku = uniq('F');
    const location = await newArticle({ sku, name: 'Washer', price: '0.35', quantity: '100', tax_rate: '5.5', available_on: '2025-06-01', checked_at: '2025-06-01T09:15', shelf_id: shelf.id, tags: 'zinc, small', notes: 'Line one', status: 'draft', active: '1', pin: '9876' });
    const row = await t.knex('depot_articles').where({ sku }).first();
    expect(row).to.include({ name: 'Washer', tax_rate: 550, status: 'draft', shelf_id: shelf.id });
    expect(Number(row.price)).to.equal(35);
    expect(Number(row.stock_value)).to.equal(3500);
    expect(JSON.parse(row.tags)).to.deep.equal(['zinc', 'small']);
    const shown = await writer.get(location).expect(200);
    expect(shown.text).to.contain('Article Washer created.');
    expect(shown.text).to.contain('id="field-price" name="price" value="0.35"');
    expect(shown.text).to.contain('id="field-tax_rate" name="tax_rate" value="5.50"');
    expect(shown.text).to.contain('name="checked_at" value="2025-06-01T09:15"');
    expect(shown.text).to.match(new RegExp(`<option value="${shelf.id}" selected>${shelf.name}</option>`));
    expect(shown.text).to.contain('Leave empty to keep the current one.');

    const duplicate = await writer.post('/depot/articles', { sku, name: 'Again', price: '1' }).expect(422);
    expect(duplicate.text).to.contain('<p class="field-error" id="field-sku-error">is already used by another article</p>');
    expect(duplicate.text).to.contain('Another article of this company has this sku');
  });

  it('gives a user of several companies a company picker, and the record goes where they picked', async () => {
    const both = await t.createUser({ permissions: DEPOT_ALL, companyIds: [t.companyId, t.otherCompanyId] });
    const agent = await t.login(both.email, both.password);
    const form = await agent.get('/depot/articles/new').expect(200);
    expect(form.text).to.contain('<select id="field-company_id" name="company_id">');
    const sku = uniq('PICK');
    await agent.post('/depot/articles', { company_id: t.otherCompanyId, sku, name: 'Picked', price: '2' }).expect(302);
    expect(Number((await t.knex('depot_articles').where({ sku }).first()).company_id)).to.equal(t.otherCompanyId);
    const list = await agent.get(`/depot/articles?q=${sku}`).expect(200);
    expect(list.text).to.contain('<th scope="col">Company</th>');
    expect(list.text).to.contain('<td>Other Company</td>');
    // A single-company user never sees the picker, and cannot post into another company.
    expect((await writer.get('/depot/articles/new')).text).not.to.contain('id="field-company_id"');
    const refused = await writer.post('/depot/articles', { company_id: t.otherCompanyId, sku: uniq('NO'), name: 'No', price: '1' }).expect(422);
    // Named by its label: the single-company user's form has no company field to put the error beside.
    expect(refused.text).to.contain('Please correct this field: Company');
  });

  it('shows the record: the form to writers, values to readers, the slots, and a history in labels and titles', async () => {
    const [before, after] = [await newShelf('Top shelf'), await newShelf('Bottom shelf')];
    const sku = uniq('H');
    const location = await newArticle({ sku, name: 'Hinge', price: '3', quantity: '2', shelf_id: before.id, status: 'draft', active: '1' });
    const saved = await writer.post(location, { sku, name: 'Hinge', price: '3.20', quantity: '2', shelf_id: after.id, status: 'published', pin: 'secret-pin' });
    expect(saved.status, saved.text.match(/field-error[^<]*<|flash-error[^<]*</g)?.join(' ')).to.equal(302);

    const page = await writer.get(location).expect(200);
    expect(page.text).to.contain(`<form method="post" action="${location}" novalidate>`);
    expect(page.text).to.contain(`<p>${sku} is in stock</p>`);
    expect(page.text).to.contain('class="btn depot-recount"');
    expect(page.text).to.contain('class="card audit-trail"');
    const history = page.text.slice(page.text.indexOf('audit-trail'));
    expect(history).to.match(/<th scope="row">Shelf<\/th>\s*<td class="audit-from">Top shelf<\/td>\s*<td class="audit-arrow"[^>]*>→<\/td>\s*<td class="audit-to">Bottom shelf<\/td>/);
    expect(history).to.match(/<th scope="row">Price<\/th>\s*<td class="audit-from">3.00 EUR<\/td>/);
    expect(history).to.match(/<th scope="row">Status<\/th>\s*<td class="audit-from">Draft<\/td>\s*<td class="audit-arrow"[^>]*>→<\/td>\s*<td class="audit-to">Published<\/td>/);
    expect(history).to.match(/<th scope="row">Active<\/th>\s*<td class="audit-from">Yes<\/td>\s*<td class="audit-arrow"[^>]*>→<\/td>\s*<td class="audit-to">No<\/td>/);
    // The secret's change is an entry of its own, saying only that it changed.
    expect(history).to.match(/<span class="badge badge-update">Changed<\/span>\s*<\/div>\s*<table class="audit-changes">\s*<tbody>\s*<tr>\s*<th scope="row">PIN<\/th>[\s\S]*?\(changed\)<\/td>\s*<\/tr>\s*<\/tbody>/);
    expect(history).not.to.contain('secret-pin');
    expect(history).not.to.contain('shelf_id');

    const read = await reader.get(location).expect(200);
    expect(read.text).not.to.contain(`action="${location}"`);
    expect(read.text).to.contain(`<dt>Shelf</dt><dd><a href="/depot/shelves/${after.id}">Bottom shelf</a></dd>`);
    expect(read.text).to.contain('<dt>Price</dt><dd>3.20 EUR</dd>');
    expect(read.text).not.to.contain('depot-recount');
    expect(read.text).not.to.contain('audit-trail');
    await reader.post(location, { name: 'Hijacked' }).expect(403);
    await reader.get('/depot/articles/999999999').expect(404);
    await reader.get('/depot/articles/not-a-number').expect(404);
  });

  it("deletes after asking, or says the entity's reason for refusing", async () => {
    const kept = await newArticle({ sku: uniq('D'), name: 'Kept', status: 'published' });
    const page = await writer.get(kept).expect(200);
    expect(page.text).to.contain(`data-confirm="Delete article Kept? This cannot be undone."`);
    const refused = await writer.post(`${kept}/delete`).expect(302);
    expect(refused.headers.location).to.equal(kept);
    expect((await writer.get(kept)).text).to.contain('A published article cannot be deleted; retire it first');
    const gone = await newArticle({ sku: uniq('D'), name: 'Gone' });
    const deleted = await writer.post(`${gone}/delete`).expect(302);
    expect(deleted.headers.location).to.equal('/depot/articles');
    expect((await writer.get('/depot/articles')).text).to.contain('Article Gone deleted.');
    await writer.get(gone).expect(404);
    expect((await reader.get(kept)).text).not.to.contain('/delete');
  });

  it('exports the filtered list as CSV in the declared columns, formulas neutralised', async () => {
    const tag = uniq('CSV');
    const shelf = await newShelf('=SUM(A1)');
    await newArticle({ sku: `${tag}1`, name: '=HYPERLINK("http://x")', price: '1.50', notes: '-2+3', tags: 'a, b', shelf_id: shelf.id, checked_at: '2025-01-02T03:04' });
    await newArticle({ sku: `${tag}2`, name: 'Plain', price: '2' });
    const csv = await writer.get(`/depot/articles/export.csv?q=${tag}&sort=sku`).expect(200).expect('content-type', /text\/csv/);
    const rows = parse(csv.text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0])).to.deep.equal(['sku', 'name', 'email', 'phone', 'quantity', 'price', 'tax_rate', 'active', 'available_on', 'checked_at', 'status', 'shelf_id', 'tags', 'notes', 'details', 'stock_value']);
    expect(rows.map((r) => r.sku)).to.deep.equal([`${tag}1`, `${tag}2`]);
    expect(rows[0]).to.include({ name: `'=HYPERLINK("http://x")`, notes: "'-2+3", price: '1.50', active: 'no', tags: 'a, b', shelf_id: "'=SUM(A1)", checked_at: '2025-01-02T03:04:00.000Z', status: 'draft' });
    await reader.get('/depot/articles/export.csv').expect(403);
    expect((await reader.get('/depot/articles')).text).not.to.contain('Export CSV');
    expect((await writer.get(`/depot/articles?q=${tag}`)).text).to.contain(`href="/depot/articles/export.csv?q=${tag}" download`);
  });

  it("shows a derived page through the module's own template when it asks to", async () => {
    const shelf = await newShelf(`Own template ${uniq('')}`);
    const page = await reader.get('/depot/shelves').expect(200);
    expect(page.text).to.contain('<h1 class="depot-shelves">Shelves of the depot</h1>');
    expect(page.text).to.contain(`<a href="/depot/shelves/${shelf.id}">`);
  });
});
