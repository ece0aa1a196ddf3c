import { expect } from 'chai';
import supertest from 'supertest';
import crypto from 'node:crypto';
import { startTestApp, type TestApp } from 'tessera/testing';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}`, Accept: 'application/json' });
const unique = (prefix: string) => `${prefix}${crypto.randomBytes(3).toString('hex')}`;

/** Companies, declared through the resource layer with a scope of their own (no company owns a company). */
describe('base: companies, created by super admins, seen by their members', () => {
  let t: TestApp;
  let root: string;
  const api = () => supertest(t.app);

  before(async () => {
    t = await startTestApp();
    root = await t.token((await t.createUser({ permissions: [], superAdmin: true })).email);
  });
  after(async () => t.close());

  it('creates a company answering its five fields, with the creator a member of it', async () => {
    const code = unique('NEW');
    const created = await api().post('/api/v1/base/companies').set(bearer(root)).send({ code, name: 'New Co' }).expect(201);
    expect(created.body).to.deep.equal({ id: created.body.id, code, name: 'New Co', currency: 'EUR', timezone: 'UTC' });
    const list = await api().get('/api/v1/base/companies').set(bearer(root)).expect(200);
    expect(list.body.data.map((c: { id: number }) => c.id)).to.include(created.body.id);
    expect(list.body.next_cursor).to.equal(null);
    const audit = await t.knex('core_audit_log').where({ record_table: 'core_companies', record_id: created.body.id }).first();
    expect(Number(audit.company_id)).to.equal(created.body.id);
  });

  it('refuses a used code on the code field, a code change, and bad currencies and zones by name', async () => {
    const code = unique('DUP');
    const first = (await api().post('/api/v1/base/companies').set(bearer(root)).send({ code, name: 'First' }).expect(201)).body;
    const clash = await api().post('/api/v1/base/companies').set(bearer(root)).send({ code, name: 'Second' }).expect(409);
    expect(clash.body.error.fields).to.have.property('code');
    await api().patch(`/api/v1/base/companies/${first.id}`).set(bearer(root)).send({ code: unique('X') }).expect(422);
    const bad = await api().patch(`/api/v1/base/companies/${first.id}`).set(bearer(root)).send({ currency: 'eu1', timezone: 'Mars/Base' }).expect(422);
    expect(bad.body.error.fields).to.have.keys('currency', 'timezone');
    const fine = await api().patch(`/api/v1/base/companies/${first.id}`).set(bearer(root)).send({ currency: 'CHF', timezone: 'Europe/Zurich' }).expect(200);
    expect(fine.body).to.include({ code, currency: 'CHF', timezone: 'Europe/Zurich' });
  });

  it('offers a super admin the new-company form and creates through it', async () => {
    const admin = await t.createUser({ permissions: [], superAdmin: true });
    const agent = await t.login(admin.email, admin.password);
    expect((await agent.get('/admin/companies').expect(200)).text).to.contain('href="/admin/companies/new"');
    await agent.get('/admin/companies/new').expect(200);
    const code = unique('PG');
    await agent.post('/admin/companies', { code, name: 'Paged Co', currency: 'usd', timezone: 'UTC' }).expect(302);
    expect(await t.knex('core_companies').where({ code }).first('currency')).to.deep.equal({ currency: 'USD' });
  });
});
