import { expect } from 'chai';
import type { TestApp, TestAgent } from 'tessera/testing';
import { baseTestApp, unique } from './base-test-app';
import { BASE, type ShopService } from '../../base/api';

/** The global audit log: filters, titles and links, and never another company's entries. */
describe('base: the audit log page @integration', function () {
  this.timeout(60_000);
  let t: TestApp;
  let auditor: TestAgent;
  let auditorId: number;
  let shops: ShopService;

  before(async () => {
    t = await baseTestApp();
    shops = t.container.get<ShopService>(BASE.ShopService);
    const user = await t.createUser({ permissions: ['core.audit.read', 'base.shop.read', 'base.shop.manage'] });
    auditorId = user.id;
    auditor = await t.login(user.email, user.password);
  });

  const rows = (html: string) => [...html.matchAll(/<tr data-entry="\d+">([\s\S]*?)<\/tr>/g)].map((m) => m[1]);

  it('lists the changes of the caller\'s companies, each titled by its record and linked to it', async () => {
    const ctx = await t.contextFor(auditorId, t.companyId);
    const name = `Audit ${unique('')}`;
    const shop = await shops.create(ctx, { code: unique('AU'), name });
    await shops.update(ctx, shop.id, { phone: '+44 20 7946 0000' });
    const page = await auditor.get('/admin/audit?type=base.shop').expect(200);
    const mine = rows(page.text).filter((r) => r.includes(name));
    expect(mine).to.have.length(2);
    expect(mine[0]).to.contain('Changed');
    expect(mine[0]).to.contain(`<a href="/admin/shops/${shop.id}">${name}</a>`);
    expect(mine[0]).to.contain('Phone');
    expect(mine[1]).to.contain('Created');
    expect(page.text).not.to.contain(`base_shops #${shop.id}`);

    const history = await auditor.get(`/admin/audit/base_shops/${shop.id}`).expect(200);
    expect(history.text).to.contain(`<h1>History of Shop ${name}</h1>`);
  });

  it('names roles and users by their names, with what changed by label, linked for those who may open them', async () => {
    const admin = await t.createUser({ permissions: ['core.audit.read', 'core.role.manage', 'core.user.manage', 'base.shop.read'] });
    const agent = await t.login(admin.email, admin.password);
    const roleName = `Audited ${unique('')}`;
    const made = await agent.post('/admin/roles', { name: roleName, description: '', permissions: ['base.shop.read'] }).expect(302);
    const roleId = Number(made.headers.location.split('/').pop());
    const page = await agent.get('/admin/audit?type=base.role').expect(200);
    const created = rows(page.text).filter((r) => r.includes(roleName));
    expect(created).to.have.length(1);
    expect(created[0]).to.contain(`<a href="/admin/roles/${roleId}">${roleName}</a>`);
    expect(created[0]).to.contain('Permissions');
    expect(page.text).not.to.contain(`core_roles #${roleId}`);

    const email = `${unique('audited')}@example.test`;
    const user = await agent.post('/admin/users', { email, name: 'Audited Person', password: 'long-enough-1', company_ids: [String(t.companyId)], role_ids: [String(roleId)] }).expect(302);
    const userId = Number(user.headers.location.split('/').pop());
    const users = rows((await agent.get('/admin/audit?type=base.user').expect(200)).text).filter((r) => r.includes('Audited Person'));
    expect(users).to.have.length(1);
    expect(users[0]).to.contain(`<a href="/admin/users/${userId}">Audited Person</a>`);
    expect(users[0]).to.contain('E-mail');
    expect(users[0]).to.contain('Roles');
  });

  it('filters by person, module, record type and days', async () => {
    const ctx = await t.contextFor(auditorId, t.companyId);
    const name = `Filter ${unique('')}`;
    await shops.create(ctx, { code: unique('FI'), name });
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await auditor.get(`/admin/audit?user=${auditorId}`).expect(200)).text).to.contain(name);
    expect((await auditor.get(`/admin/audit?user=${t.otherAdmin.id}`).expect(200)).text).not.to.contain(name);
    expect((await auditor.get('/admin/audit?module=base').expect(200)).text).to.contain(name);
    expect((await auditor.get(`/admin/audit?from=${today}&to=${today}`).expect(200)).text).to.contain(name);
    expect((await auditor.get(`/admin/audit?from=${tomorrow}`).expect(200)).text).to.contain('No change matches these filters.');
    const bad = await auditor.get('/admin/audit?from=yesterday&type=nope.nothing').expect(422);
    expect(bad.text).to.contain('from: must be a date (YYYY-MM-DD)');
    expect(bad.text).to.contain('type: is not a kind of record');
  });

  it('never shows another company\'s entries, whatever the filters', async () => {
    const other = await t.contextFor(t.otherAdmin.id, t.otherCompanyId);
    const name = `Elsewhere ${unique('')}`;
    const shop = await shops.create(other, { code: unique('EL'), name });
    for (const query of ['', '?type=base.shop', `?user=${t.otherAdmin.id}`, '?module=base']) {
      const page = await auditor.get(`/admin/audit${query}`).expect(200);
      expect(page.text).not.to.contain(name);
      expect(page.text).not.to.contain(`/admin/shops/${shop.id}"`);
    }
    const theirs = await t.login(t.otherAdmin.email, t.otherAdmin.password);
    expect((await theirs.get('/admin/audit?type=base.shop').expect(200)).text).to.contain(name);
  });

  it('needs the audit permission, and shows the menu entry only to those who hold it', async () => {
    const user = await t.createUser({ permissions: ['base.shop.read'] });
    const agent = await t.login(user.email, user.password);
    await agent.get('/admin/audit').expect(403);
    expect((await agent.get('/admin/shops').expect(200)).text).not.to.contain('href="/admin/audit"');
    expect((await auditor.get('/admin/shops').expect(200)).text).to.contain('href="/admin/audit"');
  });
});
