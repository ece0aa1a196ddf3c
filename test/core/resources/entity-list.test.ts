import { expect } from 'chai';
import type { TestApp, TestAgent } from '../../support/harness';
import { DEPOT_ALL, DEPOT_READ, startDepotApp, uniq } from './depot-app';

/** The list controls every declared entity gets: counts, columns and filters per person, pages, bulk actions. */
describe('core resources: list controls of a declared entity @integration', () => {
  let t: TestApp;
  let writer: TestAgent;
  let reader: TestAgent;
  let other: TestAgent;

  before(async () => {
    t = await startDepotApp();
    const w = await t.createUser({ permissions: DEPOT_ALL.concat(DEPOT_READ) });
    writer = await t.login(w.email, w.password);
    const r = await t.createUser({ permissions: DEPOT_READ });
    reader = await t.login(r.email, r.password);
    const o = await t.createUser({ permissions: DEPOT_READ });
    other = await t.login(o.email, o.password);
  });
  after(async () => t.close());

  const articles = async (tag: string, n: number) => {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) {
      const made = await writer.post('/depot/articles', { sku: `${tag}${i}`, name: `${tag} ${i}`, price: `${i + 1}.00` }).expect(302);
      ids.push(Number(made.headers.location.split('/').pop()));
    }
    return ids;
  };
  const names = (html: string, tag: string) => [...html.matchAll(new RegExp(`>(${tag} \\d+)</a>`, 'g'))].map((m) => m[1]);

  it('counts the matches exactly, and says "N+" past the bound without counting further', async () => {
    const tag = uniq('CT');
    await articles(tag, 3);
    const page = await reader.get(`/depot/articles?q=${tag}`).expect(200);
    expect(page.text).to.contain('data-count="3"><strong>3 articles</strong>');
    const service = t.kernel.container.get<any>(Symbol.for('depot.article'));
    const ctx = await t.contextFor(Number((await t.knex('core_users').where({ email: t.admin.email }).first()).id));
    expect(await service.count(ctx, { q: tag }, { bound: 2 })).to.deep.equal({ count: 2, exact: false });
  });

  it('pages forward and back: first, previous and next keep the search and the sort', async () => {
    const tag = uniq('PG');
    await articles(tag, 22);
    const href = (html: string, rel: string) => new RegExp(`href="([^"]*)" rel="${rel}"`).exec(html)?.[1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    await writer.post('/depot/articles/list/prefs', { order: ['sku', 'name'], show: ['sku', 'name'], page_size: '20' }).expect(302);
    const p1 = await writer.get(`/depot/articles?q=${tag}&sort=-name`).expect(200);
    expect(p1.text).to.contain('22 articles');
    expect(names(p1.text, tag)).to.have.length(20);
    expect(href(p1.text, 'prev')).to.equal(undefined);
    const p2 = await writer.get(`/depot/articles${href(p1.text, 'next')}`).expect(200);
    expect(names(p2.text, tag)).to.have.length(2);
    expect(p2.text).to.contain('Page 2');
    expect(href(p2.text, 'next')).to.equal(undefined);
    const back = await writer.get(`/depot/articles${href(p2.text, 'prev')}`).expect(200);
    expect(names(back.text, tag)).to.deep.equal(names(p1.text, tag));
    expect(back.text).to.contain('Page 1');
  });

  it('keeps each person\'s columns, their order and page size; others keep the defaults', async () => {
    const tag = uniq('CO');
    await articles(tag, 1);
    await reader.post('/depot/articles/list/prefs', { order: ['price', 'name', 'sku', 'status'], show: ['price', 'name', 'status'], page_size: '100' }).expect(302);
    const mine = await reader.get(`/depot/articles?q=${tag}`).expect(200);
    const headers = [...mine.text.matchAll(/<th scope="col"[^>]*>(?:<a[^>]*>)?([A-Z][a-zA-Z ]+)/g)].map((m) => m[1].trim());
    expect(headers.slice(0, 3)).to.deep.equal(['Price', 'Name', 'Status']);
    expect(mine.text).to.contain('<option value="100" selected>100</option>');
    await reader.post('/depot/articles/list/prefs', { order: ['price', 'name', 'sku', 'status'], show: ['price', 'name', 'status'], move: 'name:up' }).expect(302);
    const moved = await reader.get(`/depot/articles?q=${tag}`).expect(200);
    expect([...moved.text.matchAll(/<th scope="col"[^>]*>(?:<a[^>]*>)?([A-Z][a-zA-Z ]+)/g)].map((m) => m[1].trim()).slice(0, 2)).to.deep.equal(['Name', 'Price']);
    const theirs = await other.get(`/depot/articles?q=${tag}`).expect(200);
    expect([...theirs.text.matchAll(/<th scope="col"[^>]*>(?:<a[^>]*>)?([A-Z][a-zA-Z ]+)/g)].map((m) => m[1].trim())[0]).to.equal('SKU');
    const none = await reader.post('/depot/articles/list/prefs', { order: ['price'], show: [] }).expect(302);
    expect((await reader.get(none.headers.location)).text).to.contain('choose at least one column');
  });

  it('saves filters per person: reapplied by their link, invisible and undeletable to others', async () => {
    const tag = uniq('SF');
    await articles(tag, 2);
    const saved = await reader.post('/depot/articles/list/filters', { name: 'Cheap ones', query: `q=${tag}&price_to=1.50&after=junk` }).expect(302);
    expect(saved.headers.location).to.equal(`/depot/articles?q=${tag}&price_to=1.50`);
    const page = await reader.get(saved.headers.location).expect(200);
    expect(names(page.text, tag)).to.deep.equal([`${tag} 0`]);
    expect(page.text.replace(/&#x3D;/g, '=')).to.contain(`<a href="/depot/articles?q=${tag}&amp;price_to=1.50" aria-current="true">Cheap ones</a>`);
    const theirs = await other.get('/depot/articles').expect(200);
    expect(theirs.text).not.to.contain('Cheap ones');
    const id = Number(/list\/filters\/(\d+)\/delete/.exec(page.text)![1]);
    await other.post(`/depot/articles/list/filters/${id}/delete`).expect(404);
    await reader.post(`/depot/articles/list/filters/${id}/delete`).expect(302);
    expect((await reader.get('/depot/articles')).text).not.to.contain('Cheap ones');
  });

  it('offers bulk actions only under their permission, confirms, then acts on ticked rows or every match', async () => {
    const tag = uniq('BK');
    const ids = await articles(tag, 4);
    const readerPage = await reader.get(`/depot/articles?q=${tag}`).expect(200);
    expect(readerPage.text).not.to.contain('id="bulk-form"');
    await reader.post('/depot/articles/bulk', { action: 'delete', scope: 'ticked', ids: [String(ids[0])] }).expect(403);
    await reader.post('/depot/articles/bulk/delete', { scope: 'ticked', ids: [String(ids[0])] }).expect(403);

    const list = await writer.get(`/depot/articles?q=${tag}`).expect(200);
    expect(list.text).to.contain('<option value="delete">Delete</option>');
    const confirm = await writer.post('/depot/articles/bulk', { action: 'delete', scope: 'ticked', ids: [String(ids[0]), String(ids[1])] }).expect(200);
    expect(confirm.text).to.contain('Delete 2 articles? This cannot be undone.');
    await writer.post('/depot/articles/bulk/delete', { scope: 'ticked', ids: [String(ids[0]), String(ids[1])] }).expect(302);
    expect(names((await writer.get(`/depot/articles?q=${tag}`)).text, tag)).to.deep.equal([`${tag} 2`, `${tag} 3`]);

    const all = await writer.post('/depot/articles/bulk', { action: 'export', scope: 'all', f: { q: tag } }).expect(200);
    expect(all.text).to.contain('Download 2 articles as a CSV file?');
    const csv = await writer.post('/depot/articles/bulk/export', { scope: 'all', f: { q: tag } }).expect(200);
    expect(csv.text.trim().split('\n')).to.have.length(3);
    const ticked = await writer.post('/depot/articles/bulk/export', { scope: 'ticked', ids: [String(ids[3])] }).expect(200);
    expect(ticked.text.trim().split('\n')).to.have.length(2);
    expect(ticked.text).to.contain(`${tag}3`);
  });
});
