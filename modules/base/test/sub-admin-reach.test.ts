import crypto from 'node:crypto';
import { expect } from 'chai';
import supertest from 'supertest';
import type { TestAgent, TestApp, TestUser } from 'tessera/testing';
import { baseTestApp, bearer, unique } from './base-test-app';

/**
 * A sub-admin holding core.user.manage and core.role.manage in company A tries every user-management
 * action, through the API and the admin pages, on users it may and may not change. A refused action is
 * a 403 with the reason and changes nothing; an allowed one works. The rule: a sub-admin changes a
 * user only when every company of that user is one of its own, and the user holds nothing it does not.
 */
describe('base: what a sub-admin reaches (users who work in several companies)', () => {
  let t: TestApp;
  let companyA: number;
  let companyB: number;
  let companyC: number;
  let subAdmin: TestUser;
  let token: string;
  let pages: TestAgent;
  const held = ['core.user.manage', 'core.role.manage', 'base.shop.read'];
  const api = () => supertest(t.app);

  before(async () => {
    t = await baseTestApp();
    companyA = t.companyId;
    companyB = t.otherCompanyId;
    const now = new Date();
    [companyC] = (await t.knex('core_companies').insert({ code: unique('REACH'), name: 'Third Company', currency: 'EUR', timezone: 'UTC', created_at: now, updated_at: now })).map(Number);
    subAdmin = await t.createUser({ permissions: held, companyIds: [companyA] });
    token = await t.token(subAdmin.email);
    pages = await t.login(subAdmin.email, subAdmin.password);
  });

  /** Everything a change to a user could touch. */
  async function userState(id: number) {
    const row = await t.knex('core_users').where({ id }).first('email', 'name', 'is_active', 'password_hash');
    const companies = (await t.knex('core_user_companies').where({ user_id: id }).orderBy('company_id').pluck('company_id')).map(Number);
    const roles = (await t.knex('core_user_roles').where({ user_id: id }).orderBy('role_id').pluck('role_id')).map(Number);
    return { ...row, is_active: Boolean(row.is_active), companies, roles };
  }

  async function roleState(id: number) {
    const row = await t.knex('core_roles').where({ id }).first('name', 'description');
    return { ...row, permissions: await t.knex('core_role_permissions').where({ role_id: id }).orderBy('permission').pluck('permission') };
  }

  /** Every change a sub-admin can ask for, as an API body and as the edit form would send it. */
  function userChanges(target: TestUser) {
    const password = `taken-over-${crypto.randomBytes(3).toString('hex')}`;
    return [
      { name: 'password', body: { password }, form: { password } },
      { name: 'e-mail', body: { email: `moved-${target.id}@elsewhere.test` }, form: { email: `moved-${target.id}@elsewhere.test` } },
      { name: 'name', body: { name: 'Renamed' }, form: { name: 'Renamed' } },
      { name: 'deactivation', body: { is_active: false }, form: { is_active: '' } },
      { name: 'roles', body: { role_ids: [subAdmin.roleId] }, form: { role_ids: [String(subAdmin.roleId)] } },
      { name: 'companies', body: { company_ids: [companyA] }, form: { company_ids: [String(companyA)] } },
    ];
  }

  /** The edit form as a browser posts it: every field, with the one under test changed. */
  async function formOf(target: TestUser, change: Record<string, unknown>) {
    const state = await userState(target.id);
    return { email: state.email, name: state.name, is_active: state.is_active ? '1' : '', role_ids: state.roles.map(String), company_ids: state.companies.map(String), ...change };
  }

  async function expectRefusedEverywhere(target: TestUser, reason: RegExp) {
    for (const change of userChanges(target)) {
      const before = await userState(target.id);
      const viaApi = await api().patch(`/api/v1/base/users/${target.id}`).set(bearer(token)).send(change.body);
      expect(viaApi.status, `API ${change.name}`).to.equal(403);
      expect(viaApi.body.error.message, `API ${change.name}`).to.match(reason);
      const viaPage = await pages.post(`/admin/users/${target.id}`, await formOf(target, change.form));
      expect(viaPage.status, `page ${change.name}`).to.equal(403);
      expect(await userState(target.id), change.name).to.deep.equal(before);
    }
  }

  it('changes a user whose only company is its own: password, e-mail, name, active flag, roles, companies', async () => {
    const target = await t.createUser({ permissions: ['base.shop.read'], companyIds: [companyA] });
    for (const change of userChanges(target)) {
      await api().patch(`/api/v1/base/users/${target.id}`).set(bearer(token)).send(change.body).expect(200);
    }
    const after = await userState(target.id);
    expect(after).to.include({ email: `moved-${target.id}@elsewhere.test`, name: 'Renamed', is_active: false });
    expect(after.roles).to.deep.equal([subAdmin.roleId]);
    const other = await t.createUser({ permissions: ['base.shop.read'], companyIds: [companyA] });
    await pages.post(`/admin/users/${other.id}`, await formOf(other, { name: 'Renamed on the page', password: 'page-password-1' })).expect(302);
    expect((await userState(other.id)).name).to.equal('Renamed on the page');
    await t.login(other.email, 'page-password-1');
  });

  it('refuses every change to a user who also works in another company, naming how many, not which', async () => {
    const target = await t.createUser({ permissions: ['base.shop.read'], companyIds: [companyA, companyB] });
    await expectRefusedEverywhere(target, /also works in 1 company you do not manage/);
    const response = await api().patch(`/api/v1/base/users/${target.id}`).set(bearer(token)).send({ password: 'taken-over-1' });
    expect(response.text).not.to.contain('Other Company');
    // The takeover the rule exists for: the password did not change, so signing in with it fails.
    await t.login(target.email, 'taken-over-1').then(
      () => expect.fail('signed in with a password the sub-admin set'),
      (error: Error) => expect(error.message).to.match(/failed with 401/),
    );
    await t.login(target.email, target.password);
  });

  it('counts every company out of reach', async () => {
    const target = await t.createUser({ permissions: ['base.shop.read'], companyIds: [companyA, companyB, companyC] });
    await expectRefusedEverywhere(target, /also works in 2 companies you do not manage/);
  });

  it('refuses every change to a user holding a permission it does not hold, or the super admin role', async () => {
    const richer = await t.createUser({ permissions: ['base.shop.read', 'core.jobs.manage'], companyIds: [companyA] });
    await expectRefusedEverywhere(richer, /holds permissions you do not hold/);
    const superAdmin = await t.createUser({ permissions: [], companyIds: [companyA], superAdmin: true });
    await expectRefusedEverywhere(superAdmin, /super admin/);
  });

  it('shows a user out of reach without a form, with the reason', async () => {
    const target = await t.createUser({ permissions: ['base.shop.read'], companyIds: [companyA, companyB] });
    const page = await pages.get(`/admin/users/${target.id}`).expect(200);
    expect(page.text).to.contain('id="user-refusal"');
    expect(page.text).to.match(/also works in 1 company you do not manage/);
    expect(page.text).not.to.contain('name="password"');
    const reachable = await t.createUser({ permissions: ['base.shop.read'], companyIds: [companyA] });
    const form = await pages.get(`/admin/users/${reachable.id}`).expect(200);
    expect(form.text).to.contain('name="password"');
    expect(form.text).not.to.contain('id="user-refusal"');
  });

  it('does not see a user of another company at all: 404, nothing changed', async () => {
    const stranger = await t.createUser({ permissions: [], companyIds: [companyB] });
    const before = await userState(stranger.id);
    await api().patch(`/api/v1/base/users/${stranger.id}`).set(bearer(token)).send({ password: 'taken-over-1' }).expect(404);
    await pages.post(`/admin/users/${stranger.id}`, { name: 'x', password: 'taken-over-1' }).expect(404);
    expect(await userState(stranger.id)).to.deep.equal(before);
  });

  it('creates users only in its companies and only with roles whose permissions it holds', async () => {
    const richRole = await t.createUser({ permissions: ['core.jobs.manage'], companyIds: [companyA] });
    const superRole = Number((await t.knex('core_roles').where({ is_super_admin: true }).first()).id);
    const attempts = [
      { company_ids: [companyA, companyB], role_ids: [], field: 'company_ids' },
      { company_ids: [companyA], role_ids: [richRole.roleId], field: 'role_ids' },
      { company_ids: [companyA], role_ids: [superRole], field: 'role_ids' },
    ];
    for (const attempt of attempts) {
      const email = `${unique('made').toLowerCase()}@tessera.test`;
      const response = await api().post('/api/v1/base/users').set(bearer(token)).send({ email, name: 'Made', password: 'long-enough-1', company_ids: attempt.company_ids, role_ids: attempt.role_ids });
      expect(response.status, JSON.stringify(attempt)).to.equal(403);
      expect(response.body.error.fields).to.have.property(attempt.field);
      const viaPage = await pages.post('/admin/users', { email, name: 'Made', password: 'long-enough-1', company_ids: attempt.company_ids.map(String), role_ids: attempt.role_ids.map(String) });
      expect(viaPage.status, JSON.stringify(attempt)).to.equal(403);
      expect(await t.knex('core_users').where({ email }).first()).to.equal(undefined);
    }
  });

  it('neither gives itself roles nor disables itself; it may rename itself', async () => {
    const before = await userState(subAdmin.id);
    const richRole = await t.createUser({ permissions: ['base.shop.read'], companyIds: [companyA] });
    await api().patch(`/api/v1/base/users/${subAdmin.id}`).set(bearer(token)).send({ role_ids: [subAdmin.roleId, richRole.roleId] }).expect(403);
    await api().patch(`/api/v1/base/users/${subAdmin.id}`).set(bearer(token)).send({ is_active: false }).expect(403);
    expect(await userState(subAdmin.id)).to.deep.equal(before);
    await api().patch(`/api/v1/base/users/${subAdmin.id}`).set(bearer(token)).send({ name: 'Sub Admin' }).expect(200);
  });

  it('refuses to change or delete a role held by a user of another company, or shared by every company', async () => {
    const multi = await t.createUser({ permissions: ['base.shop.read'], companyIds: [companyA, companyB] });
    const [sharedId] = (await t.knex('core_roles').insert({ company_id: null, name: unique('Shared '), description: '', is_super_admin: false, created_at: new Date(), updated_at: new Date() })).map(Number);
    for (const [roleId, reason] of [
      [multi.roleId, /also work in 1 company you do not manage/],
      [sharedId, /shared by every company/],
    ] as const) {
      const before = await roleState(roleId);
      // Adding base.shop.read to a role held in company B would grant it there: the permission is the sub-admin's to give, the company is not.
      const edit = await api().patch(`/api/v1/base/roles/${roleId}`).set(bearer(token)).send({ name: 'Taken over', permissions: ['base.shop.read', 'core.user.manage'] });
      expect(edit.status).to.equal(403);
      expect(edit.body.error.message).to.match(reason);
      await api().delete(`/api/v1/base/roles/${roleId}`).set(bearer(token)).expect(403);
      await pages.post(`/admin/roles/${roleId}`, { name: 'Taken over', permissions: ['base.shop.read', 'core.user.manage'] }).expect(403);
      await pages.post(`/admin/roles/${roleId}/delete`).expect(302);
      expect(await roleState(roleId)).to.deep.equal(before);
      const page = await pages.get(`/admin/roles/${roleId}`).expect(200);
      expect(page.text).to.contain('id="role-refusal"');
    }
  });

  it('edits a role all of whose holders work only in its companies', async () => {
    const local = await t.createUser({ permissions: ['base.shop.read'], companyIds: [companyA] });
    await api().patch(`/api/v1/base/roles/${local.roleId}`).set(bearer(token)).send({ permissions: ['base.shop.read', 'core.user.read'] }).expect(200);
    expect((await roleState(local.roleId)).permissions).to.deep.equal(['base.shop.read', 'core.user.read']);
  });

  it('can neither make nor revoke API tokens of another user', async () => {
    const target = await t.createUser({ permissions: ['base.shop.read'], companyIds: [companyA] });
    const theirs = await t.token(target.email);
    const tokenId = Number((await t.knex('core_api_tokens').where({ user_id: target.id }).first()).id);
    await pages.post(`/account/tokens/${tokenId}/revoke`).expect(404);
    await api().get('/api/v1/base/shops').set(bearer(theirs)).expect(200);
    const operations = (await api().get('/api/v1/openapi.json').set(bearer(token)).expect(200)).body.paths;
    expect(Object.keys(operations).filter((path) => /token/i.test(path))).to.deep.equal([]);
  });
});
