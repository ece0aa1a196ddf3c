import { expect } from 'chai';
import supertest from 'supertest';
import type { TestApp } from 'tessera/testing';
import { baseTestApp, bearer, unique } from './base-test-app';

/**
 * Users as the entity declaration serves them: the answers keep the shape the API has always had,
 * passwords go in hashed and never come out (answers, audit trail), e-mails are kept lower-case and
 * unique, and a user's history names its fields by their labels.
 */
describe('base: users API on the resource layer', () => {
  let t: TestApp;
  let token: string;
  const api = () => supertest(t.app);
  const SHAPE = ['company_ids', 'email', 'id', 'is_active', 'last_login_at', 'name', 'role_ids'];

  before(async () => {
    t = await baseTestApp();
    token = await t.token((await t.createUser({ permissions: ['core.user.manage', 'core.role.read', 'core.audit.read', 'base.shop.read'] })).email);
  });

  const create = (email: string, extra: Record<string, unknown> = {}) =>
    api().post('/api/v1/base/users').set(bearer(token)).send({ email, name: 'Shaped User', password: 'first-password-1', company_ids: [t.companyId], ...extra });

  it('answers the shape it always had, never the password or its hash, in every answer', async () => {
    const email = `${unique('shape').toLowerCase()}@tessera.test`;
    const created = await create(email).expect(201);
    expect(Object.keys(created.body).sort()).to.deep.equal(SHAPE);
    expect(created.body).to.include({ email, name: 'Shaped User', is_active: true, last_login_at: null });
    expect(created.body).to.deep.include({ company_ids: [t.companyId], role_ids: [] });
    const id = created.body.id;
    const answers = [
      created,
      await api().get(`/api/v1/base/users/${id}`).set(bearer(token)).expect(200),
      await api().get('/api/v1/base/users').query({ q: email }).set(bearer(token)).expect(200),
      await api().patch(`/api/v1/base/users/${id}`).set(bearer(token)).send({ password: 'second-password-2' }).expect(200),
    ];
    for (const answer of answers) expect(answer.text).not.to.match(/password|scrypt|first-password|second-password/);
    const list = answers[2].body;
    expect(Object.keys(list).sort()).to.deep.equal(['data', 'next_cursor']);
    expect(list.data.map((u: { id: number }) => u.id)).to.deep.equal([id]);
    expect(Object.keys(list.data[0]).sort()).to.deep.equal(SHAPE);
    await t.login(email, 'second-password-2');
    const stored = (await t.knex('core_users').where({ id }).first()).password_hash;
    expect(stored).not.to.contain('second-password-2');
    const audit = await t.knex('core_audit_log').where({ record_table: 'core_users', record_id: id }).select('changes');
    const text = audit.map((row: { changes: unknown }) => (typeof row.changes === 'string' ? row.changes : JSON.stringify(row.changes))).join(' ');
    expect(text).to.contain('(changed)');
    expect(text).not.to.contain(stored);
    expect(text).not.to.match(/first-password|second-password/);
  });

  it('keeps e-mails lower-case and refuses one already taken, naming the field', async () => {
    const email = `${unique('Case')}@Tessera.Test`;
    const created = await create(email).expect(201);
    expect(created.body.email).to.equal(email.toLowerCase());
    const moved = `${unique('Moved')}@Tessera.Test`;
    const patched = await api().patch(`/api/v1/base/users/${created.body.id}`).set(bearer(token)).send({ email: moved }).expect(200);
    expect(patched.body.email).to.equal(moved.toLowerCase());
    const taken = await create(moved.toLowerCase()).expect(409);
    expect(taken.body.error.fields).to.have.property('email');
    const bad = await create('not-an-email', { name: ' ', password: 'short' }).expect(422);
    expect(bad.body.error.fields).to.include.keys('email', 'name', 'password');
  });

  it('pages users by id with the cursor it writes', async () => {
    const prefix = unique('pager').toLowerCase();
    const ids = [];
    for (const n of [1, 2, 3]) ids.push((await create(`${prefix}${n}@tessera.test`).expect(201)).body.id);
    const first = await api().get('/api/v1/base/users').query({ q: prefix, limit: 2 }).set(bearer(token)).expect(200);
    expect(first.body.data.map((u: { id: number }) => u.id)).to.deep.equal(ids.slice(0, 2));
    const second = await api().get('/api/v1/base/users').query({ q: prefix, limit: 2, after: first.body.next_cursor }).set(bearer(token)).expect(200);
    expect(second.body).to.deep.include({ next_cursor: null });
    expect(second.body.data.map((u: { id: number }) => u.id)).to.deep.equal(ids.slice(2));
  });

  it("names a user's changes by label in their history, the password as changed", async () => {
    const email = `${unique('hist').toLowerCase()}@tessera.test`;
    const id = (await create(email).expect(201)).body.id;
    await api().patch(`/api/v1/base/users/${id}`).set(bearer(token)).send({ password: 'another-password-3', name: 'Renamed Person' }).expect(200);
    const admin = await t.login(t.admin.email, t.admin.password);
    const page = (await admin.get(`/admin/users/${id}`).expect(200)).text;
    expect(page).to.contain('Password');
    expect(page).to.contain('Renamed Person');
    expect(page).not.to.contain('password_hash');
  });
});
