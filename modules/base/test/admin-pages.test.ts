import { expect } from 'chai';
import type { TestApp } from 'tessera/testing';
import { baseTestApp, unique } from './base-test-app';

describe('base: admin pages', () => {
  let t: TestApp;

  before(async () => {
    t = await baseTestApp();
  });

  it('greets on the dashboard and fills its panel slot', async () => {
    const admin = await t.login(t.admin.email, t.admin.password);
    const page = await admin.get('/').expect(200);
    expect(page.text).to.match(/<h1>(Hello|Good \w+), Administrator<\/h1>/);
    expect(page.text).to.contain('All shops');
    expect(page.text).to.contain('Background jobs');
    expect(page.text).to.contain('href="/admin/shops"');
  });

  it('creates a shop through the form, showing field errors first', async () => {
    const user = await t.createUser({ permissions: ['base.shop.manage'] });
    const agent = await t.login(user.email, user.password);
    const form = await agent.get('/admin/shops/new').expect(200);
    expect(form.text).to.contain('name="code"');

    const invalid = await agent.post('/admin/shops', { code: 'bad code', name: '' }).expect(422);
    expect(invalid.text).to.contain('id="field-code-error"');
    expect(invalid.text).to.contain('id="field-name-error"');
    expect(invalid.text).to.contain('aria-invalid="true"');
    expect(invalid.text).to.contain('value="bad code"');

    const code = unique('FORM');
    const created = await agent.post('/admin/shops', { code, name: 'Form Shop', phone: '', address: '', is_active: '1' }).expect(302);
    const location = created.headers.location as string;
    expect(location).to.match(/^\/admin\/shops\/\d+$/);
    const shown = await agent.get(location).expect(200);
    expect(shown.text).to.contain(`Shop Form Shop created.`);
    expect(shown.text).to.contain(`value="${code}"`);

    const duplicate = await agent.post('/admin/shops', { code, name: 'Again' }).expect(422);
    expect(duplicate.text).to.contain('is already used by another shop');

    await agent.post(location, { code, name: 'Form Shop Renamed' }).expect(302);
    const list = await agent.get(`/admin/shops?q=${code}`).expect(200);
    expect(list.text).to.contain('Form Shop Renamed');
    expect(list.text).to.contain('badge-inactive');
  });

  it('shows a shop read-only to a reader and 403 on its form post', async () => {
    const reader = await t.createUser({ permissions: ['base.shop.read'] });
    const agent = await t.login(reader.email, reader.password);
    const shop = await t.knex('base_shops').where({ company_id: t.companyId, code: 'MAIN' }).first();
    const page = await agent.get(`/admin/shops/${shop.id}`).expect(200);
    expect(page.text).not.to.contain(`action="/admin/shops/${shop.id}"`);
    expect(page.text).not.to.contain('href="/admin/shops/new"');
    await agent.post(`/admin/shops/${shop.id}`, { code: 'MAIN', name: 'Hijacked' }).expect(403);
    await agent.get('/admin/shops/999999999').expect(404);
    await agent.get('/admin/shops/not-a-number').expect(404);
  });

  it('shows the history of a shop to auditors', async () => {
    const user = await t.createUser({ permissions: ['base.shop.manage', 'core.audit.read'] });
    const agent = await t.login(user.email, user.password);
    const code = unique('HIST');
    const created = await agent.post('/admin/shops', { code, name: 'Before' }).expect(302);
    await agent.post(created.headers.location, { code, name: 'After' }).expect(302);
    const page = await agent.get(created.headers.location).expect(200);
    expect(page.text).to.contain('class="card audit-trail"');
    expect(page.text).to.match(/<td class="audit-from">Before<\/td>/);
    const id = created.headers.location.split('/').pop();
    const full = await agent.get(`/admin/audit/base_shops/${id}`).expect(200);
    expect(full.text).to.contain('After');
    await agent.get(`/admin/audit/core_users/${user.id}`).expect(404);
  });

  it('lists permissions grouped by module on the role edit page, disabling those the editor lacks', async () => {
    const subAdmin = await t.createUser({ permissions: ['core.role.manage', 'base.shop.read'] });
    const agent = await t.login(subAdmin.email, subAdmin.password);
    const created = await agent.post('/admin/roles', { name: unique('Page role '), description: 'made on the page', permissions: ['base.shop.read'] }).expect(302);
    const page = await agent.get(created.headers.location).expect(200);
    expect(page.text).to.contain('data-module="core"');
    expect(page.text).to.contain('data-module="base"');
    expect(page.text).to.match(/value="base.shop.read" checked>/);
    expect(page.text).to.match(/value="base.shop.manage" disabled>/);
    expect(page.text).to.match(/value="core.jobs.manage" disabled>/);
    const core = page.text.indexOf('data-module="core"');
    const base = page.text.indexOf('data-module="base"');
    expect(core).to.be.lessThan(base);

    const refused = await agent.post(created.headers.location, { name: 'Escalated', permissions: ['base.shop.read', 'base.shop.manage'] }).expect(403);
    expect(refused.text).to.contain('You can only grant permissions you hold yourself');
    expect(refused.text).to.contain('base.shop.manage');
  });

  it('keeps permissions the editor cannot grant when it saves a role', async () => {
    const subAdmin = await t.createUser({ permissions: ['core.role.manage', 'base.shop.read'] });
    const role = await t.knex('core_roles').where({ id: subAdmin.roleId }).first();
    const [roleId] = await t.knex('core_roles').insert({ company_id: t.companyId, name: unique('Mixed '), description: '', is_super_admin: false, created_at: new Date(), updated_at: new Date() });
    await t.knex('core_role_permissions').insert([{ role_id: roleId, permission: 'base.shop.read' }, { role_id: roleId, permission: 'core.jobs.manage' }]);
    const agent = await t.login(subAdmin.email, subAdmin.password);
    // The disabled core.jobs.manage box is not submitted; unticking base.shop.read is allowed.
    await agent.post(`/admin/roles/${roleId}`, { name: 'Mixed renamed', description: role.description }).expect(302);
    const permissions = await t.knex('core_role_permissions').where({ role_id: roleId }).pluck('permission');
    expect(permissions).to.deep.equal(['core.jobs.manage']);
  });

  it('lets each user create, see once and revoke their own API tokens', async () => {
    const user = await t.createUser({ permissions: [] });
    const agent = await t.login(user.email, user.password);
    const created = await agent.post('/account/tokens', { name: 'Website' }).expect(200);
    const secret = created.text.match(/<code id="new-token">([^<]+)<\/code>/)?.[1];
    expect(secret).to.match(/^tsr_/);
    const list = await agent.get('/account/tokens').expect(200);
    expect(list.text).to.contain('Website');
    expect(list.text).not.to.contain(secret!);
    const empty = await agent.post('/account/tokens', { name: '' }).expect(422);
    expect(empty.text).to.contain('field-name-error');
    const tokenId = (await t.knex('core_api_tokens').where({ user_id: user.id }).first()).id;
    await agent.post(`/account/tokens/${tokenId}/revoke`).expect(302);
    const other = await t.createUser({ permissions: [] });
    const otherAgent = await t.login(other.email, other.password);
    await otherAgent.post(`/account/tokens/${tokenId}/revoke`).expect(404);
  });

  it('changes one\'s own password after checking the current one and the confirmation', async () => {
    const user = await t.createUser({ permissions: [] });
    const agent = await t.login(user.email, user.password);
    const page = await agent.get('/account/password').expect(200);
    expect(page.text).to.contain('name="current_password"');
    const mismatch = await agent.post('/account/password', { current_password: user.password, new_password: 'new-password-1', confirm_password: 'other' }).expect(422);
    expect(mismatch.text).to.contain('field-confirm_password-error');
    const wrong = await agent.post('/account/password', { current_password: 'nope-nope', new_password: 'new-password-1', confirm_password: 'new-password-1' }).expect(422);
    expect(wrong.text).to.contain('field-current_password-error');
    await agent.post('/account/password', { current_password: user.password, new_password: 'new-password-1', confirm_password: 'new-password-1' }).expect(302);
    await t.login(user.email, 'new-password-1');
  });

  it('manages users on pages: search, create with roles and companies, no self-promotion', async () => {
    const admin = await t.createUser({ permissions: ['core.user.manage', 'base.shop.read'] });
    const agent = await t.login(admin.email, admin.password);
    const email = `${unique('page').toLowerCase()}@tessera.test`;
    const invalid = await agent.post('/admin/users', { email: 'not-an-email', name: '', password: 'short', company_ids: [String(t.companyId)] }).expect(422);
    expect(invalid.text).to.contain('field-email-error');
    const created = await agent.post('/admin/users', { email, name: 'Paged User', password: 'long-enough-1', company_ids: [String(t.companyId)], role_ids: [String(admin.roleId)] }).expect(302);
    const search = await agent.get(`/admin/users?q=${encodeURIComponent(email.slice(0, 12))}`).expect(200);
    expect(search.text).to.contain(email);
    const edit = await agent.get(created.headers.location).expect(200);
    expect(edit.text).to.match(new RegExp(`name="role_ids" value="${admin.roleId}" checked>`));
    const self = await agent.get(`/admin/users/${admin.id}`).expect(200);
    expect(self.text).to.contain('You cannot change your own roles');
    await agent.post(`/admin/users/${admin.id}`, { name: 'Renamed Self', company_ids: [String(t.companyId)] }).expect(302);
  });

  it('shows the jobs page with a chart to job managers only', async () => {
    const admin = await t.login(t.admin.email, t.admin.password);
    const page = await admin.get('/admin/jobs').expect(200);
    expect(page.text).to.contain('<h1>Jobs</h1>');
    expect(page.text).to.contain('Failed');
    const user = await t.createUser({ permissions: ['base.shop.read'] });
    const agent = await t.login(user.email, user.password);
    await agent.get('/admin/jobs').expect(403);
    await agent.get('/admin/jobs/1/status').expect(403);
    const status = await admin.get('/admin/jobs/999999/status').expect(404);
    expect(status.body.error.code).to.equal('not_found');
  });

  it('shows companies and lets a company manager edit name, currency and time zone', async () => {
    const manager = await t.createUser({ permissions: ['core.company.manage'] });
    const agent = await t.login(manager.email, manager.password);
    const list = await agent.get('/admin/companies').expect(200);
    expect(list.text).to.contain(`href="/admin/companies/${t.companyId}"`);
    expect(list.text).not.to.contain('href="/admin/companies/new"');
    await agent.get('/admin/companies/new').expect(403);
    const bad = await agent.post(`/admin/companies/${t.companyId}`, { name: '', currency: 'EURO', timezone: 'Mars/Base' }).expect(422);
    expect(bad.text).to.contain('field-currency-error');
    await agent.get(`/admin/companies/${t.otherCompanyId}`).expect(404);
  });

  it('lists the settings a user may open', async () => {
    const user = await t.createUser({ permissions: ['base.shop.read'] });
    const agent = await t.login(user.email, user.password);
    const page = await agent.get('/admin').expect(200);
    expect(page.text).to.contain('href="/admin/shops"');
    expect(page.text).not.to.contain('href="/admin/users"');
    expect(page.text).to.contain('href="/account/tokens"');
  });
});
