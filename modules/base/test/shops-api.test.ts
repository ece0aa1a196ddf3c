import { expect } from 'chai';
import supertest from 'supertest';
import type { TestApp } from 'tessera/testing';
import { baseTestApp, bearer, unique } from './base-test-app';
import { BASE, type ShopService } from '../../base/api';

describe('base: shops API', () => {
  let t: TestApp;
  let manager: { id: number; email: string; token: string };
  let reader: { token: string };

  before(async () => {
    t = await baseTestApp();
    const user = await t.createUser({ permissions: ['base.shop.manage'] });
    manager = { id: user.id, email: user.email, token: await t.token(user.email) };
    const readOnly = await t.createUser({ permissions: ['base.shop.read'] });
    reader = { token: await t.token(readOnly.email) };
  });

  const api = () => supertest(t.app);

  it('creates, reads, lists and edits a shop', async () => {
    const code = unique('S');
    const created = await api().post('/api/v1/base/shops').set(bearer(manager.token)).send({ code, name: 'Dockside', phone: '+44 1 234', address: '1 Quay' }).expect(201);
    expect(created.body).to.include({ code, name: 'Dockside', phone: '+44 1 234', address: '1 Quay', is_active: true, company_id: t.companyId });
    expect(created.body.id).to.be.a('number');
    expect(created.body.created_at).to.match(/^\d{4}-\d{2}-\d{2}T/);

    const read = await api().get(`/api/v1/base/shops/${created.body.id}`).set(bearer(reader.token)).expect(200);
    expect(read.body.name).to.equal('Dockside');

    const list = await api().get('/api/v1/base/shops').query({ q: code }).set(bearer(reader.token)).expect(200);
    expect(list.body.data.map((s: any) => s.id)).to.deep.equal([created.body.id]);
    expect(list.body.next_cursor).to.equal(null);

    const patched = await api().patch(`/api/v1/base/shops/${created.body.id}`).set(bearer(manager.token)).send({ name: 'Dockside Market', is_active: false, phone: null }).expect(200);
    expect(patched.body).to.include({ name: 'Dockside Market', is_active: false, phone: null });
  });

  it('stores codes upper-case and refuses a code used in the company with 409 on the code field', async () => {
    const code = unique('dup');
    await api().post('/api/v1/base/shops').set(bearer(manager.token)).send({ code: code.toLowerCase(), name: 'First' }).expect(201);
    const again = await api().post('/api/v1/base/shops').set(bearer(manager.token)).send({ code, name: 'Second' }).expect(409);
    expect(again.body.error.fields).to.have.property('code');
  });

  it('validates input: unknown fields, bad codes and empty names are 422 with the field named', async () => {
    const unknownField = await api().post('/api/v1/base/shops').set(bearer(manager.token)).send({ code: unique('V'), name: 'x', colour: 'red' }).expect(422);
    expect(unknownField.body.error.fields).to.have.property('colour');
    const badCode = await api().post('/api/v1/base/shops').set(bearer(manager.token)).send({ code: 'has space', name: 'x' }).expect(422);
    expect(badCode.body.error.fields).to.have.property('code');
    const noName = await api().post('/api/v1/base/shops').set(bearer(manager.token)).send({ code: unique('V'), name: '   ' }).expect(422);
    expect(noName.body.error.fields).to.have.property('name');
  });

  it('pages with a keyset cursor', async () => {
    const prefix = unique('PG');
    for (let i = 0; i < 3; i += 1) await api().post('/api/v1/base/shops').set(bearer(manager.token)).send({ code: `${prefix}${i}`, name: `Paged ${i}` }).expect(201);
    const first = await api().get('/api/v1/base/shops').query({ q: prefix, limit: 2 }).set(bearer(reader.token)).expect(200);
    expect(first.body.data).to.have.length(2);
    expect(first.body.next_cursor).to.be.a('string');
    const second = await api().get('/api/v1/base/shops').query({ q: prefix, limit: 2, after: first.body.next_cursor }).set(bearer(reader.token)).expect(200);
    expect(second.body.data.map((s: any) => s.code)).to.deep.equal([`${prefix}2`]);
    expect(second.body.next_cursor).to.equal(null);
  });

  it('hides the shops of another company: 404 by id, absent from lists, not editable', async () => {
    const otherToken = await t.token(t.otherAdmin.email);
    const code = unique('OTHER');
    const foreign = await api().post('/api/v1/base/shops').set(bearer(otherToken)).send({ code, name: 'Elsewhere' }).expect(201);
    expect(foreign.body.company_id).to.equal(t.otherCompanyId);

    await api().get(`/api/v1/base/shops/${foreign.body.id}`).set(bearer(reader.token)).expect(404);
    await api().patch(`/api/v1/base/shops/${foreign.body.id}`).set(bearer(manager.token)).send({ name: 'Taken over' }).expect(404);
    const list = await api().get('/api/v1/base/shops').query({ q: code }).set(bearer(reader.token)).expect(200);
    expect(list.body.data).to.deep.equal([]);
    const everything = await api().get('/api/v1/base/shops').query({ limit: 200 }).set(bearer(reader.token)).expect(200);
    expect(everything.body.data.every((s: any) => s.company_id === t.companyId)).to.equal(true);
  });

  it('refuses to create a shop in a company the caller does not belong to', async () => {
    const response = await api().post('/api/v1/base/shops').set(bearer(manager.token)).send({ code: unique('X'), name: 'Intruder', company_id: t.otherCompanyId }).expect(422);
    expect(response.body.error.fields).to.have.property('company_id');
  });

  it('answers 403 to a writer without base.shop.manage, and 403 to reading without base.shop.read', async () => {
    const denied = await api().post('/api/v1/base/shops').set(bearer(reader.token)).send({ code: unique('NO'), name: 'Nope' }).expect(403);
    expect(denied.body.error.message).to.contain('base.shop.manage');
    const nobody = await t.createUser({ permissions: ['crm.customer.read'] });
    await api().get('/api/v1/base/shops').set(bearer(await t.token(nobody.email))).expect(403);
  });

  it('records creates and updates in the audit trail', async () => {
    const created = await api().post('/api/v1/base/shops').set(bearer(manager.token)).send({ code: unique('AU'), name: 'Audited' }).expect(201);
    await api().patch(`/api/v1/base/shops/${created.body.id}`).set(bearer(manager.token)).send({ name: 'Audited Too' }).expect(200);
    const rows = await t.knex('core_audit_log').where({ record_table: 'base_shops', record_id: created.body.id }).orderBy('id');
    expect(rows.map((r: any) => r.action)).to.deep.equal(['create', 'update']);
    expect(JSON.parse(rows[1].changes)).to.deep.equal({ name: { from: 'Audited', to: 'Audited Too' } });
    expect(Number(rows[1].actor_id)).to.equal(manager.id);
  });

  it('offers the ShopService to other modules: the demo shops, found by code or by name', async () => {
    const shops = t.container.get<ShopService>(BASE.ShopService);
    const ctx = await t.contextFor(manager.id);
    const byCode = await shops.findByCodeOrName(ctx, 'main');
    expect(byCode).to.include({ code: 'MAIN', name: 'Main Street', company_id: t.companyId });
    const byName = await shops.findByCodeOrName(ctx, '  harbour mall ');
    expect(byName?.code).to.equal('HARBOUR');
    expect(await shops.findByCodeOrName(ctx, 'no such shop')).to.equal(undefined);
    const all = await shops.list(ctx);
    expect(all.map((s) => s.code)).to.include.members(['MAIN', 'HARBOUR']);
    // Reading needs no permission: any module lets people pick a shop.
    const plain = await t.createUser({ permissions: [] });
    expect((await shops.list(await t.contextFor(plain.id))).length).to.be.greaterThan(1);
  });

  it('appears in the OpenAPI document with its schemas', async () => {
    const doc = await api().get('/api/v1/openapi.json').set(bearer(manager.token)).expect(200);
    const paths = doc.body.paths;
    expect(paths).to.have.property('/api/v1/base/shops');
    expect(paths['/api/v1/base/shops'].post.requestBody.content['application/json'].schema.required).to.deep.equal(['code', 'name']);
    expect(paths['/api/v1/base/shops/{id}'].patch['x-permission']).to.equal('base.shop.manage');
    for (const path of ['/api/v1/base/companies', '/api/v1/base/users/{id}', '/api/v1/base/roles/{id}']) expect(paths, path).to.have.property(path);
  });
});
