import { expect } from 'chai';
import supertest from 'supertest';
import type { TestApp } from 'tessera/testing';
import { baseTestApp, bearer, unique } from './base-test-app';

describe('base: roles and users API, and the limits of a sub-admin', () => {
  let t: TestApp;
  let subAdmin: { id: number; roleId: number; token: string };
  let superAdminRoleId: number;

  before(async () => {
    t = await baseTestApp();
    const user = await t.createUser({ permissions: ['core.role.manage', 'core.user.manage', 'base.shop.read'] });
    subAdmin = { id: user.id, roleId: user.roleId, token: await t.token(user.email) };
    superAdminRoleId = Number((await t.knex('core_roles').where({ is_super_admin: true }).first()).id);
  });

  const api = () => supertest(t.app);

  it('lets a sub-admin create a role with permissions it holds', async () => {
    const name = unique('Shop viewers ');
    const role = await api().post('/api/v1/base/roles').set(bearer(subAdmin.token)).send({ name, description: 'read shops', permissions: ['base.shop.read'] }).expect(201);
    expect(role.body).to.include({ name, company_id: t.companyId, is_super_admin: false });
    expect(role.body.permissions).to.deep.equal(['base.shop.read']);
    const listed = await api().get('/api/v1/base/roles').set(bearer(subAdmin.token)).expect(200);
    expect(listed.body.data.map((r: any) => r.id)).to.include(role.body.id);
    expect(listed.body.next_cursor).to.equal(null);
  });

  it('refuses a role granting what the sub-admin lacks, naming the permission', async () => {
    const response = await api().post('/api/v1/base/roles').set(bearer(subAdmin.token)).send({ name: unique('Sneaky '), permissions: ['base.shop.read', 'base.shop.manage'] });
    expect(response.status).to.be.oneOf([403, 422]);
    expect(response.body.error.message).to.match(/grant/i);
    expect(JSON.stringify(response.body.error)).to.contain('base.shop.manage');
  });

  it('refuses a role granting crm.customer.read to a sub-admin without crm permissions', async function () {
    const installed = await t.knex('core_modules').where({ name: 'crm', state: 'installed' }).first();
    if (!installed) this.skip();
    const response = await api().post('/api/v1/base/roles').set(bearer(subAdmin.token)).send({ name: unique('CRM '), permissions: ['crm.customer.read'] });
    expect(response.status).to.be.oneOf([403, 422]);
    expect(JSON.stringify(response.body.error)).to.contain('crm.customer.read');
  });

  it('does not let a sub-admin make itself super admin, by role or by flag', async () => {
    const own = await api().patch(`/api/v1/base/users/${subAdmin.id}`).set(bearer(subAdmin.token)).send({ role_ids: [subAdmin.roleId, superAdminRoleId] });
    expect(own.status).to.be.oneOf([403, 422]);
    const flagged = await api().post('/api/v1/base/roles').set(bearer(subAdmin.token)).send({ name: unique('Root '), permissions: [], is_super_admin: true }).expect(422);
    expect(flagged.body.error.fields).to.have.property('is_super_admin');
    const raise = await api().patch(`/api/v1/base/roles/${subAdmin.roleId}`).set(bearer(subAdmin.token)).send({ permissions: ['core.role.manage', 'core.user.manage', 'base.shop.read', 'core.jobs.manage'] });
    expect(raise.status).to.be.oneOf([403, 422]);
    await api().patch(`/api/v1/base/roles/${superAdminRoleId}`).set(bearer(subAdmin.token)).send({ name: 'Mine now' }).expect(403);
    const roles = await t.knex('core_user_roles').where({ user_id: subAdmin.id }).pluck('role_id');
    expect(roles.map(Number)).to.deep.equal([subAdmin.roleId]);
  });

  it('edits and deletes a role', async () => {
    const created = await api().post('/api/v1/base/roles').set(bearer(subAdmin.token)).send({ name: unique('Temp '), permissions: [] }).expect(201);
    const patched = await api().patch(`/api/v1/base/roles/${created.body.id}`).set(bearer(subAdmin.token)).send({ description: 'short-lived', permissions: ['base.shop.read'] }).expect(200);
    expect(patched.body).to.include({ description: 'short-lived' });
    expect(patched.body.permissions).to.deep.equal(['base.shop.read']);
    await api().delete(`/api/v1/base/roles/${created.body.id}`).set(bearer(subAdmin.token)).expect(204);
    await api().get(`/api/v1/base/roles/${created.body.id}`).set(bearer(subAdmin.token)).expect(404);
  });

  it('lists permissions grouped by module with a grantable flag', async () => {
    const response = await api().get('/api/v1/base/permissions').set(bearer(subAdmin.token)).expect(200);
    const base = response.body.data.find((g: any) => g.module === 'base');
    expect(base.permissions.map((p: any) => p.name)).to.include.members(['base.shop.read', 'base.shop.manage']);
    expect(base.permissions.find((p: any) => p.name === 'base.shop.read').grantable).to.equal(true);
    expect(base.permissions.find((p: any) => p.name === 'base.shop.manage').grantable).to.equal(false);
  });

  it('creates users with roles the caller may give, in the caller\'s companies only', async () => {
    const role = await api().post('/api/v1/base/roles').set(bearer(subAdmin.token)).send({ name: unique('Clerks '), permissions: ['base.shop.read'] }).expect(201);
    const email = `${unique('clerk').toLowerCase()}@tessera.test`;
    const created = await api().post('/api/v1/base/users').set(bearer(subAdmin.token)).send({ email, name: 'Clerk', password: 'long-enough-1', role_ids: [role.body.id], company_ids: [t.companyId] }).expect(201);
    expect(created.body).to.include({ email, name: 'Clerk', is_active: true, last_login_at: null });
    expect(created.body).not.to.have.property('password');
    expect(created.body.role_ids).to.deep.equal([role.body.id]);

    const elsewhere = await api().post('/api/v1/base/users').set(bearer(subAdmin.token)).send({ email: `x${email}`, name: 'X', password: 'long-enough-1', company_ids: [t.otherCompanyId] });
    expect(elsewhere.status).to.equal(403);
    expect(elsewhere.body.error.fields).to.have.property('company_ids');

    const found = await api().get('/api/v1/base/users').query({ q: email.slice(0, 10) }).set(bearer(subAdmin.token)).expect(200);
    expect(found.body.data.map((u: any) => u.email)).to.include(email);

    const disabled = await api().patch(`/api/v1/base/users/${created.body.id}`).set(bearer(subAdmin.token)).send({ is_active: false }).expect(200);
    expect(disabled.body.is_active).to.equal(false);
  });

  it('does not show another company\'s users', async () => {
    await api().get(`/api/v1/base/users/${t.otherAdmin.id}`).set(bearer(subAdmin.token)).expect(404);
  });

  it('shows companies and refuses company creation to anyone but a super admin', async () => {
    const reader = await t.createUser({ permissions: ['core.company.manage'] });
    const token = await t.token(reader.email);
    const list = await api().get('/api/v1/base/companies').set(bearer(token)).expect(200);
    expect(list.body.data.map((c: any) => c.id)).to.deep.equal([t.companyId]);
    await api().get(`/api/v1/base/companies/${t.otherCompanyId}`).set(bearer(token)).expect(404);
    await api().post('/api/v1/base/companies').set(bearer(token)).send({ code: unique('C'), name: 'New Co' }).expect(403);
  });
});
