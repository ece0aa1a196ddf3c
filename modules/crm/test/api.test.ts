import { expect } from 'chai';
import supertest from 'supertest';
import { bearer, crmWorld, e164, uniq, uniqDigits, type CrmWorld } from './crm-fixtures';

describe('crm customers JSON API @integration', function () {
  let w: CrmWorld;
  let token: string;
  const api = () => supertest(w.t.app);

  before(async () => {
    w = await crmWorld();
    token = await w.t.token(w.admin.email);
  });

  it('creates, reads, patches and deletes a customer', async () => {
    const created = await api()
      .post('/api/v1/crm/customers')
      .set(bearer(token))
      .send({ first_name: 'Api', last_name: 'Person', phone: '0612345678', email: 'api@example.com', birthdate: '1991-09-09', shop_id: w.shops[0].id, tags: ['vip'], classification: 'retail' })
      .expect(201);
    expect(created.body).to.include({ first_name: 'Api', last_name: 'Person', shop_id: w.shops[0].id, company_id: w.companyId, classification: 'retail' });
    expect(created.body.code).to.match(/^CU-\d{6}$/);
    const id = created.body.id;
    await api().get(`/api/v1/crm/customers/${id}`).set(bearer(token)).expect(200);
    const patched = await api().patch(`/api/v1/crm/customers/${id}`).set(bearer(token)).send({ delivery_route: 'R9', tags: [] }).expect(200);
    expect(patched.body).to.include({ delivery_route: 'R9', first_name: 'Api' });
    expect(patched.body.tags).to.deep.equal([]);
    await api().delete(`/api/v1/crm/customers/${id}`).set(bearer(token)).expect(204);
    await api().get(`/api/v1/crm/customers/${id}`).set(bearer(token)).expect(404);
  });

  it('answers bad input with the field and the reason', async () => {
    const missing = await api().post('/api/v1/crm/customers').set(bearer(token)).send({ first_name: 'X' }).expect(422);
    expect(missing.body.error.code).to.equal('validation_failed');
    expect(missing.body.error.fields).to.include({ last_name: 'is required', shop_id: 'is required' });
    const bad = await api().post('/api/v1/crm/customers').set(bearer(token)).send({ last_name: 'X', shop_id: w.shops[0].id, email: 'nope', birthdate: '1990-02-31' }).expect(422);
    expect(bad.body.error.fields).to.deep.equal({ email: 'is not a valid e-mail address', birthdate: 'must be a date YYYY-MM-DD' });
    const unknown = await api().post('/api/v1/crm/customers').set(bearer(token)).send({ last_name: 'X', shop_id: w.shops[0].id, shoe_size: 42 }).expect(422);
    expect(unknown.body.error.fields).to.deep.equal({ shoe_size: 'is not a known field' });
  });

  it('lists with q prefix search, filters, sort and keyset pages', async () => {
    const last = uniq('Apilist');
    const phone = '07' + uniqDigits(8);
    for (let i = 0; i < 3; i++) {
      await api().post('/api/v1/crm/customers').set(bearer(token)).send({ first_name: `F${i}`, last_name: last, shop_id: w.shops[i % 2].id, phone: i === 0 ? phone : null }).expect(201);
    }
    const byPhone = await api().get('/api/v1/crm/customers').query({ q: phone.slice(0, 6) }).set(bearer(token)).expect(200);
    expect(byPhone.body.data.map((c: any) => c.phone)).to.deep.equal([e164(phone)]);
    const first = await api().get('/api/v1/crm/customers').query({ q: last, limit: 2, sort: 'name' }).set(bearer(token)).expect(200);
    expect(first.body.data.map((c: any) => c.first_name)).to.deep.equal(['F0', 'F1']);
    const second = await api().get('/api/v1/crm/customers').query({ q: last, limit: 2, sort: 'name', after: first.body.next_cursor }).set(bearer(token)).expect(200);
    expect(second.body.data.map((c: any) => c.first_name)).to.deep.equal(['F2']);
    expect(second.body.next_cursor).to.equal(null);
    const shop = await api().get('/api/v1/crm/customers').query({ q: last, shop_id: String(w.shops[1].id) }).set(bearer(token)).expect(200);
    expect(shop.body.data.map((c: any) => c.first_name)).to.deep.equal(['F1']);
    const badCursor = await api().get('/api/v1/crm/customers').query({ after: 'garbage' }).set(bearer(token)).expect(422);
    expect(badCursor.body.error.fields).to.have.property('after');
    const badSort = await api().get('/api/v1/crm/customers').query({ sort: 'phone' }).set(bearer(token)).expect(422);
    expect(badSort.body.error.fields).to.have.property('sort');
  });

  it('refuses callers without the permission of each route', async () => {
    const reader = await w.t.createUser({ permissions: ['crm.customer.read'], companyIds: [w.companyId] });
    const readerToken = await w.t.token(reader.email);
    await api().get('/api/v1/crm/customers').set(bearer(readerToken)).expect(200);
    await api().post('/api/v1/crm/customers').set(bearer(readerToken)).send({ last_name: 'X', shop_id: w.shops[0].id }).expect(403);
    await api().get('/api/v1/crm/customers/export').set(bearer(readerToken)).expect(403);
    await api().get('/api/v1/crm/groups').set(bearer(readerToken)).expect(403);
    await api().get('/api/v1/crm/customers').expect(401);
  });

  it('documents every crm route in the OpenAPI document with its permission', async () => {
    const doc = (await api().get('/api/v1/openapi.json').set(bearer(token)).expect(200)).body;
    const expected: Array<[string, string, string]> = [
      ['/api/v1/crm/customers', 'post', 'crm.customer.write'],
      ['/api/v1/crm/customers', 'get', 'crm.customer.read'],
      ['/api/v1/crm/customers/{id}', 'get', 'crm.customer.read'],
      ['/api/v1/crm/customers/{id}', 'patch', 'crm.customer.write'],
      ['/api/v1/crm/customers/{id}', 'delete', 'crm.customer.delete'],
      ['/api/v1/crm/customers/{id}/groups', 'get', 'crm.customer.read'],
      ['/api/v1/crm/groups', 'post', 'crm.group.manage'],
      ['/api/v1/crm/groups', 'get', 'crm.group.read'],
      ['/api/v1/crm/groups/{id}', 'get', 'crm.group.read'],
      ['/api/v1/crm/groups/{id}', 'patch', 'crm.group.manage'],
      ['/api/v1/crm/groups/{id}', 'delete', 'crm.group.manage'],
      ['/api/v1/crm/groups/{id}/members', 'get', 'crm.group.read'],
      ['/api/v1/crm/customers/import', 'post', 'crm.customer.import'],
      ['/api/v1/crm/customers/export', 'get', 'crm.customer.export'],
    ];
    for (const [path, method, permission] of expected) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).to.be.an('object');
      expect(doc.paths[path][method]['x-permission']).to.equal(permission);
    }
    expect(doc.paths['/api/v1/crm/customers/import'].post.requestBody.content).to.have.property('text/csv');
    expect(doc.paths['/api/v1/crm/customers'].get.parameters.map((p: any) => p.name)).to.include.members(['q', 'shop_id', 'group_id', 'tag', 'created_from', 'created_to', 'birth_month', 'sort', 'after', 'limit']);
  });

  it('declares its permissions with descriptions and implications, and its menus', async () => {
    const catalog = w.t.kernel.catalog.all().filter((p) => p.module === 'crm');
    expect(catalog.map((p) => p.name)).to.include.members(['crm.customer.read', 'crm.customer.write', 'crm.customer.delete', 'crm.customer.login_details', 'crm.customer.import', 'crm.customer.export', 'crm.group.manage']);
    expect(catalog.every((p) => p.description.length > 10)).to.equal(true);
    const writer = await w.t.createUser({ permissions: ['crm.customer.write'], companyIds: [w.companyId] });
    const ctx = await w.t.contextFor(writer.id, w.companyId);
    expect(ctx.can('crm.customer.read')).to.equal(true);
    expect(ctx.can('crm.customer.login_details')).to.equal(false);
  });
});
