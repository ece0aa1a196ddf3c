import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { startFixtureApp } from '../../support/fixture-app';
import type { TestApp } from '../../support/harness';

describe('JSON API', () => {
  let t: TestApp;
  let writer: string;
  let reader: string;
  before(async () => {
    t = await startFixtureApp();
    writer = await t.token((await t.createUser({ permissions: ['alpha.item.write'] })).email);
    reader = await t.token((await t.createUser({ permissions: ['alpha.item.read'] })).email);
  });
  after(() => t.close());

  it('answers 401 in the error shape without credentials', async () => {
    const res = await t.request().get('/api/v1/alpha/items').expect(401);
    expect(res.body).to.deep.equal({ error: { code: 'unauthenticated', message: 'Authentication required', fields: {} } });
  });

  it('answers 401 to an unknown bearer token', async () => {
    await t.request().get('/api/v1/alpha/items').set('Authorization', 'Bearer tsr_nope').expect(401);
  });

  it('reads a bearer token and its user in one query, not again within tokenCacheMs, and refuses the token at the next request once revoked', async () => {
    const user = await t.createUser({ permissions: ['alpha.item.read'] });
    const token = await t.token(user.email);
    const seen: string[] = [];
    const listen = (q: { sql: string }) => seen.push(q.sql);
    t.knex.on('query', listen);
    await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${token}`).expect(200);
    t.knex.off('query', listen);
    expect(seen.filter((sql) => /core_api_tokens/.test(sql) && /^select/i.test(sql))).to.have.length(1);
    expect(seen.filter((sql) => /^select/i.test(sql) && /core_users/.test(sql) && !/core_api_tokens/.test(sql))).to.have.length(0);
    // The next call, within tokenCacheMs, reads neither.
    seen.length = 0;
    t.knex.on('query', listen);
    await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${token}`).expect(200);
    t.knex.off('query', listen);
    expect(seen.filter((sql) => /core_api_tokens|core_users/.test(sql))).to.deep.equal([]);
    const { id: tokenId } = await t.knex('core_api_tokens').where({ user_id: user.id }).first('id');
    await t.kernel.tokens.revoke(await t.contextFor(user.id), Number(tokenId));
    await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${token}`).expect(401);
  });

  it('answers 403 naming the missing permission', async () => {
    const res = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${reader}`).send({ name: 'x' }).expect(403);
    expect(res.body.error).to.include({ code: 'forbidden', message: 'Missing permission: alpha.item.write' });
  });

  it('validates input with the route schema and names each bad field', async () => {
    const missing = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${writer}`).send({}).expect(422);
    expect(missing.body.error.code).to.equal('validation_failed');
    expect(missing.body.error.fields).to.deep.equal({ name: 'is required' });
    const unknown = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${writer}`).send({ name: 'ok', colour: 'red' }).expect(422);
    expect(unknown.body.error.fields).to.deep.equal({ colour: 'is not a known field' });
    const query = await t.request().get('/api/v1/alpha/items?limit=5000').set('Authorization', `Bearer ${writer}`).expect(422);
    expect(query.body.error.fields).to.have.property('limit');
  });

  it('turns a service ValidationError into the same shape', async () => {
    const res = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${writer}`).send({ name: 'forbidden' }).expect(422);
    expect(res.body.error.fields).to.deep.equal({ name: 'is not allowed' });
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${writer}`).set('Content-Type', 'application/json').send('{"name":').expect(400);
    expect(res.body.error.code).to.equal('invalid_json');
  });

  it('reads a JSON body whatever the Content-Type\'s case and parameters, and refuses another type with 415', async () => {
    for (const type of ['application/json', 'Application/JSON; charset=utf-8']) {
      const res = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${writer}`).set('Content-Type', type).send(JSON.stringify({ name: `typed ${type}` })).expect(201);
      expect(res.body.name).to.equal(`typed ${type}`);
    }
    const res = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${writer}`).set('Content-Type', 'text/plain').send('{"name":"plain"}').expect(415);
    expect(res.body.error.code).to.equal('unsupported_media_type');
  });

  it('creates with 201 and returns snake_case rows of the caller\'s company', async () => {
    const res = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${writer}`).send({ name: 'widget' }).expect(201);
    expect(res.body).to.include({ name: 'widget', company_id: t.companyId });
    expect(res.body).to.have.property('created_at');
    const list = await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${reader}`).expect(200);
    expect(list.body).to.have.keys('data', 'next_cursor');
    expect(list.body.data.map((i: any) => i.name)).to.include('widget');
  });

  it('publishes an OpenAPI 3 document generated from the route schemas', async () => {
    const res = await t.request().get('/api/v1/openapi.json').set('Authorization', `Bearer ${reader}`).expect(200);
    expect(res.body.openapi).to.match(/^3\./);
    const post = res.body.paths['/api/v1/alpha/items'].post;
    expect(post['x-permission']).to.equal('alpha.item.write');
    expect(post.requestBody.content['application/json'].schema.required).to.deep.equal(['name']);
    expect(res.body.paths['/api/v1/alpha/items'].get.parameters.map((p: any) => p.name)).to.deep.equal(['limit']);
  });

  it('puts new rows in the company X-Company-Id names, and refuses one the caller does not work in', async () => {
    const both = await t.createUser({ permissions: ['alpha.item.write'], companyIds: [t.companyId, t.otherCompanyId] });
    const token = await t.token(both.email);
    const created = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${token}`).set('X-Company-Id', String(t.otherCompanyId)).send({ name: 'elsewhere' }).expect(201);
    expect(created.body.company_id).to.equal(t.otherCompanyId);
    const foreign = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${writer}`).set('X-Company-Id', String(t.otherCompanyId)).send({ name: 'sneaky' }).expect(403);
    expect(foreign.body.error.fields).to.have.property('x-company-id');
    const garbled = await t.request().post('/api/v1/alpha/items').set('Authorization', `Bearer ${writer}`).set('X-Company-Id', `0x${t.companyId.toString(16)}`).send({ name: 'hex' }).expect(422);
    expect(garbled.body.error.fields).to.have.property('x-company-id');
    expect(await t.knex('alpha_items').whereIn('name', ['sneaky', 'hex']).first()).to.equal(undefined);
  });

  it('tags a JSON answer with express\'s weak ETag and answers the same tag with 304', async () => {
    const res = await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${reader}`).expect(200);
    const bytes = Buffer.from(res.text);
    const sha1 = createHash('sha1').update(bytes).digest('base64').slice(0, 27);
    expect(res.headers.etag).to.equal(`W/"${bytes.length.toString(16)}-${sha1}"`);
    await t.request().get('/api/v1/alpha/items').set('Authorization', `Bearer ${reader}`).set('If-None-Match', res.headers.etag).expect(304);
  });

  it('answers unknown API paths with 404 in the error shape', async () => {
    const res = await t.request().get('/api/v1/alpha/nothing').set('Authorization', `Bearer ${reader}`).expect(404);
    expect(res.body.error.code).to.equal('not_found');
  });

  it('finds a module\'s routes whatever the case of its name, and answers a method it lacks or OPTIONS with 404 as before', async () => {
    await t.request().get('/API/V1/ALPHA/ITEMS').set('Authorization', `Bearer ${reader}`).expect(200);
    for (const method of ['put', 'options'] as const) {
      const res = await t.request()[method]('/api/v1/alpha/items').set('Authorization', `Bearer ${reader}`).expect(404);
      expect(res.body.error.code).to.equal('not_found');
    }
  });
});
