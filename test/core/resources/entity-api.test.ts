import { expect } from 'chai';
import supertest from 'supertest';
import type { TestApp } from '../../support/harness';
import { bearer, DEPOT_ALL, DEPOT_READ, startDepotApp, uniq } from './depot-app';

describe('core resources: the JSON API derived from a declaration @integration', () => {
  let t: TestApp;
  let writer: string;
  let reader: string;
  const api = () => supertest(t.app);

  before(async () => {
    t = await startDepotApp();
    writer = await t.token((await t.createUser({ permissions: DEPOT_ALL })).email);
    reader = await t.token((await t.createUser({ permissions: DEPOT_READ })).email);
  });
  after(async () => t.close());

  const shelf = async (token = writer) => (await api().post('/api/v1/depot/shelves').set(bearer(token)).send({ code: uniq('s'), name: `Shelf ${uniq('')}` }).expect(201)).body;

  it('creates, reads, changes and deletes, answering rows in one shape whatever the database', async () => {
    const s = await shelf();
    const created = await api()
      .post('/api/v1/depot/articles')
      .set(bearer(writer))
      .send({ sku: 'bolt-1', name: 'Bolt', price: 1250, quantity: 3, tax_rate: 550, available_on: '2025-04-01', checked_at: '2025-04-01T08:30:00+02:00', status: 'published', shelf_id: s.id, tags: ['steel', ' m8 '], details: { thread: 'M8' }, pin: '4321' })
      .expect(201);
    expect(created.body).to.include({ sku: 'BOLT-1', name: 'Bolt', price: 1250, quantity: 3, tax_rate: 550, active: true, available_on: '2025-04-01', checked_at: '2025-04-01T06:30:00.000Z', status: 'published', shelf_id: s.id, stock_value: 3750, email: null, company_id: t.companyId });
    expect(created.body.tags).to.deep.equal(['steel', 'm8']);
    expect(created.body.details).to.deep.equal({ thread: 'M8' });
    expect(created.body).not.to.have.property('pin');
    expect(created.body.created_at).to.match(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    const stored = await t.knex('depot_articles').where({ id: created.body.id }).first();
    expect(stored.pin).to.match(/^[0-9a-f]{64}$/);

    const read = await api().get(`/api/v1/depot/articles/${created.body.id}`).set(bearer(reader)).expect(200);
    expect(read.body).to.deep.equal(created.body);

    // The read-only stock value follows what the hooks derive it from.
    const patched = await api().patch(`/api/v1/depot/articles/${created.body.id}`).set(bearer(writer)).send({ quantity: 4, email: 'ops@depot.test', status: 'retired' }).expect(200);
    expect(patched.body).to.include({ quantity: 4, stock_value: 5000, email: 'ops@depot.test', status: 'retired' });

    await api().delete(`/api/v1/depot/articles/${created.body.id}`).set(bearer(writer)).expect(204);
    await api().get(`/api/v1/depot/articles/${created.body.id}`).set(bearer(reader)).expect(404);
    const actions = await t.knex('core_audit_log').where({ record_table: 'depot_articles', record_id: created.body.id }).orderBy('id').pluck('action');
    expect(actions).to.deep.equal(['create', 'update', 'delete']);
  });

  it('names every bad field at once, in words, including refs it cannot see', async () => {
    const foreignShelf = await shelf(await t.token(t.otherAdmin.email));
    const response = await api()
      .post('/api/v1/depot/articles')
      .set(bearer(writer))
      .send({ sku: uniq('v'), name: '   ', price: 100, email: 'nope', available_on: '2025-02-30', shelf_id: foreignShelf.id, pin: '12' })
      .expect(422);
    expect(response.body.error.fields).to.deep.equal({
      name: 'is required',
      email: 'must be an e-mail address',
      available_on: 'must be a date (YYYY-MM-DD)',
      shelf_id: `shelf ${foreignShelf.id} does not exist`,
      pin: 'must be at least 4 characters',
    });
    // Shapes are checked first (ajv, from the same declaration): a wrong type or an unknown field.
    const shapes = await api().post('/api/v1/depot/articles').set(bearer(writer)).send({ sku: 'has space', price: 'lots', stock_value: 1 }).expect(422);
    expect(shapes.body.error.fields).to.include({ name: 'is required', stock_value: 'is not a known field' }).and.to.have.property('price');
    const rules = await api().post('/api/v1/depot/articles').set(bearer(writer)).send({ sku: 'has space', name: 'x', price: -1 }).expect(422);
    expect(rules.body.error.fields).to.deep.equal({ sku: 'must be 1 to 32 letters, digits, - or _', price: 'must be at least 0.00 EUR' });
    const empty = await api().patch(`/api/v1/depot/shelves/1`).set(bearer(writer)).send({}).expect(404);
    expect(empty.body.error.code).to.equal('not_found');
  });

  it('leaves unique keys to the database and names the field: one of several racing creates wins', async () => {
    const sku = uniq('race');
    const attempts = await Promise.all(Array.from({ length: 6 }, (_, i) => api().post('/api/v1/depot/articles').set(bearer(writer)).send({ sku: i % 2 ? sku.toLowerCase() : sku, name: `Racer ${i}`, price: 1 })));
    expect(attempts.map((r) => r.status).sort()).to.deep.equal([201, 409, 409, 409, 409, 409]);
    for (const refused of attempts.filter((r) => r.status === 409)) expect(refused.body.error.fields).to.deep.equal({ sku: 'is already used by another article' });
    expect(await t.knex('depot_articles').where({ sku }).count({ n: '*' }).first()).to.satisfy((row: any) => Number(row.n) === 1);
    // The same code in another company is another article.
    await api().post('/api/v1/depot/articles').set(bearer(await t.token(t.otherAdmin.email))).send({ sku, name: 'Elsewhere', price: 1 }).expect(201);
  });

  it('lists with filters, a sort, a search and keyset pages; bad parameters are 422s naming them', async () => {
    const s = await shelf();
    const tag = uniq('L');
    for (let i = 0; i < 5; i++) {
      await api().post('/api/v1/depot/articles').set(bearer(writer)).send({ sku: `${tag}-${i}`, name: `${tag} item ${i}`, price: 100 * (5 - i), quantity: i, active: i !== 2, available_on: `2025-05-0${i + 1}`, shelf_id: i < 3 ? s.id : null }).expect(201);
    }
    const list = (query: Record<string, unknown>) => api().get('/api/v1/depot/articles').query({ q: tag, ...query }).set(bearer(reader));
    const skus = (body: any) => body.data.map((a: any) => a.sku);
    expect(skus((await list({ sort: 'price' }).expect(200)).body)).to.deep.equal([4, 3, 2, 1, 0].map((i) => `${tag}-${i}`));
    expect(skus((await list({ active: false }).expect(200)).body)).to.deep.equal([`${tag}-2`]);
    expect(skus((await list({ shelf_id: s.id, sort: '-name' }).expect(200)).body)).to.deep.equal([`${tag}-2`, `${tag}-1`, `${tag}-0`]);
    expect(skus((await list({ price_from: 200, price_to: 400, sort: 'sku' }).expect(200)).body)).to.deep.equal([`${tag}-1`, `${tag}-2`, `${tag}-3`]);
    expect(skus((await list({ available_on_from: '2025-05-04', sort: '-available_on' }).expect(200)).body)).to.deep.equal([`${tag}-4`, `${tag}-3`]);

    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: any = (await list({ sort: '-price', limit: 2, ...(after ? { after } : {}) }).expect(200)).body;
      seen.push(...skus(page));
      after = page.next_cursor;
    } while (after);
    expect(seen).to.deep.equal([0, 1, 2, 3, 4].map((i) => `${tag}-${i}`));

    const bad = await list({ after: 'not-a-cursor', sort: 'colour', status: 'lost' }).expect(422);
    expect(bad.body.error.fields).to.have.keys('sort', 'status');
    const cursorOfText = (await list({ sort: 'name', limit: 1 }).expect(200)).body.next_cursor;
    const mismatch = await list({ sort: 'price', after: cursorOfText }).expect(422);
    expect(mismatch.body.error.fields).to.deep.equal({ after: 'is not a valid cursor' });
    const garbage = await list({ after: '!!!' }).expect(422);
    expect(garbage.body.error.fields).to.have.property('after');
  });

  it("keeps each company's records to itself", async () => {
    const otherToken = await t.token(t.otherAdmin.email);
    const sku = uniq('OTHER');
    const foreign = (await api().post('/api/v1/depot/articles').set(bearer(otherToken)).send({ sku, name: 'Theirs', price: 5 }).expect(201)).body;
    await api().get(`/api/v1/depot/articles/${foreign.id}`).set(bearer(reader)).expect(404);
    await api().patch(`/api/v1/depot/articles/${foreign.id}`).set(bearer(writer)).send({ name: 'Mine now' }).expect(404);
    await api().delete(`/api/v1/depot/articles/${foreign.id}`).set(bearer(writer)).expect(404);
    expect((await api().get('/api/v1/depot/articles').query({ q: sku }).set(bearer(reader)).expect(200)).body.data).to.deep.equal([]);
    const intruder = await api().post('/api/v1/depot/articles').set(bearer(writer)).send({ sku: uniq('X'), name: 'x', price: 1, company_id: t.otherCompanyId }).expect(422);
    expect(intruder.body.error.fields).to.deep.equal({ company_id: 'is not one of your companies' });
  });

  it('asks each route for its permission, and has no route the declaration leaves out', async () => {
    const denied = await api().post('/api/v1/depot/articles').set(bearer(reader)).send({ sku: uniq('N'), name: 'n', price: 1 }).expect(403);
    expect(denied.body.error.message).to.contain('depot.article.write');
    const published = (await api().post('/api/v1/depot/articles').set(bearer(writer)).send({ sku: uniq('P'), name: 'Published', price: 1, status: 'published' }).expect(201)).body;
    await api().delete(`/api/v1/depot/articles/${published.id}`).set(bearer(reader)).expect(403);
    // The entity's guard says why it refuses.
    const guarded = await api().delete(`/api/v1/depot/articles/${published.id}`).set(bearer(writer)).expect(409);
    expect(guarded.body.error.message).to.equal('A published article cannot be deleted; retire it first');
    const s = await shelf();
    // Shelves declare no delete permission, and the fixture switched their PATCH off.
    await api().delete(`/api/v1/depot/shelves/${s.id}`).set(bearer(writer)).expect(404);
    await api().patch(`/api/v1/depot/shelves/${s.id}`).set(bearer(writer)).send({ name: 'x' }).expect(404);
    // ...and replaced the handler of its GET, which keeps the route's permission and schemas.
    await api().post('/api/v1/depot/articles').set(bearer(writer)).send({ sku: uniq('ON'), name: 'On the shelf', price: 1, shelf_id: s.id }).expect(201);
    expect((await api().get(`/api/v1/depot/shelves/${s.id}`).set(bearer(reader)).expect(200)).body).to.include({ id: s.id, articles: 1 });
    const nobody = await t.token((await t.createUser({ permissions: ['depot.article.read'] })).email);
    await api().get(`/api/v1/depot/shelves/${s.id}`).set(bearer(nobody)).expect(403);
  });

  it('appears in the OpenAPI document with its schemas and permissions', async () => {
    const doc = (await api().get('/api/v1/openapi.json').set(bearer(reader)).expect(200)).body;
    const articles = doc.paths['/api/v1/depot/articles'];
    const one = doc.paths['/api/v1/depot/articles/{id}'];
    expect(articles.get['x-permission']).to.equal('depot.article.read');
    expect(articles.post.requestBody.content['application/json'].schema.required).to.deep.equal(['sku', 'name', 'price']);
    expect(articles.get.parameters.map((p: any) => p.name)).to.include.members(['q', 'status', 'price_from', 'shelf_id', 'sort', 'after', 'limit']);
    expect(Object.keys(one)).to.have.members(['get', 'patch', 'delete']);
    expect(one.delete['x-permission']).to.equal('depot.article.delete');
    expect(one.get.responses['200'].content['application/json'].schema.properties).to.have.property('stock_value');
    expect(Object.keys(doc.paths['/api/v1/depot/shelves/{id}'])).to.deep.equal(['get']);
  });
});
