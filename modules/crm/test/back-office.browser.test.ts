/**
 * The back office as people meet it, in a real browser (issue 8): the header after opening another
 * user, no link to a 403 for a read-only user, a caller's national phone found from the header's search,
 * the home page for the admin and for an agent, the role editor's counters, the API reference. Every
 * main page is screenshotted at 1366 px into test-results/ (not committed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, Browser, Page } from 'playwright-core';
import supertest from 'supertest';
import { bearer, crmWorld, makeCustomer, uniq, uniqDigits, userWith, type CrmWorld } from './crm-fixtures';
import { CHROMIUM, RESULTS, requireChromium } from 'tessera/testing';


describe('the back office in a browser @integration', function () {
  this.timeout(120_000);

  let w: CrmWorld;
  let browser: Browser;
  let baseUrl: string;

  before(async function () {
    requireChromium(this);
    w = await crmWorld();
    baseUrl = await w.t.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  async function signIn(email: string, password: string): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/favicon/.test(message.location().url)) problems.push(`console on ${page.url()}: ${message.text()}`);
    });
    await page.goto('/login');
    await page.fill('#login-email', email);
    await page.fill('#login-password', password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')]);
    return { page, problems };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(RESULTS, `${name}.png`), fullPage: true });

  it("keeps the signed-in user in the header on another user's page", async () => {
    const other = await w.t.createUser({ permissions: ['crm.customer.read'], companyIds: [w.companyId] });
    await w.t.knex('core_users').where({ id: other.id }).update({ name: 'Other Person' });
    const { page, problems } = await signIn(w.admin.email, w.admin.password);
    await page.goto(`/admin/users/${other.id}`);
    const adminName = (await w.t.knex('core_users').where({ id: w.admin.id }).first()).name;
    expect((await page.textContent('.user-menu summary'))!.trim()).to.equal(adminName);
    expect(await page.textContent('.user-menu-who')).to.contain(w.admin.email).and.not.to.contain(other.email);
    await shot(page, 'admin-user-form');
    expect(problems).to.deep.equal([]);
  });

  it('shows a read-only user no link on the customer page that leads to 403', async () => {
    const main = await makeCustomer(w, { last_name: uniq('Main') });
    const kid = await makeCustomer(w, { last_name: uniq('Kid'), parent_id: main.id });
    await w.groups.create(w.ctx, { name: uniq('Group '), type: 'customer', customer_ids: [kid.id] });
    const { user } = await userWith(w, ['crm.customer.read']);
    const { page, problems } = await signIn(user.email, user.password);
    await page.goto(`/crm/customers/${kid.id}`);
    await shot(page, 'crm-customer-read-only');
    const hrefs = await page.$$eval('a[href^="/"]', (links) => links.map((a) => a.getAttribute('href')!));
    expect(hrefs).not.to.include(`/crm/customers/${kid.id}/edit`);
    for (const href of new Set(hrefs.filter((h) => !h.startsWith('/static/')))) {
      const response = await page.goto(href);
      expect(response!.status(), href).not.to.equal(403);
    }
    expect(problems).to.deep.equal([]);
  });

  it("finds a customer from the header's search by the national form a caller gives", async () => {
    const national = '06' + uniqDigits(8);
    const last = uniq('Caller');
    const c = await makeCustomer(w, { phone: `+33 ${national.slice(1)}`, last_name: last });
    const { page, problems } = await signIn(w.admin.email, w.admin.password);
    await page.fill('#header-search-q', national.replace(/(\d\d)(?=\d)/g, '$1 '));
    await Promise.all([page.waitForURL(/\/crm\/customers\?q=/), page.press('#header-search-q', 'Enter')]);
    expect(await page.locator('table.customer-table tbody tr').filter({ hasText: last }).count()).to.equal(1);
    await shot(page, 'crm-customers-phone-search');
    await page.goto(`/crm/customers/${c.id}`);
    await shot(page, 'crm-customer');
    expect(problems).to.deep.equal([]);
  });

  it('shows the admin a home page of widgets with chart.js charts', async () => {
    const { page, problems } = await signIn(w.admin.email, w.admin.password);
    for (const widget of ['crm.customers', 'crm.birthdays', 'crm.imports', 'base.jobs']) await page.waitForSelector(`[data-widget="${widget}"]`);
    await page.waitForSelector('[data-widget="crm.customers"] [data-charted="true"] canvas');
    expect(await page.isVisible('#home-search-q')).to.equal(true);
    await shot(page, 'home-admin');
    expect(problems).to.deep.equal([]);
  });

  it('shows an agent with few permissions their own useful widgets', async () => {
    const { user } = await userWith(w, ['crm.customer.read']);
    const { page, problems } = await signIn(user.email, user.password);
    await page.waitForSelector('[data-widget="crm.customers"] [data-charted="true"] canvas');
    expect(await page.locator('[data-widget]').evaluateAll((els) => els.map((e) => e.getAttribute('data-widget')))).to.deep.equal(['crm.customers', 'crm.birthdays', 'base.account']);
    await shot(page, 'home-agent');
    expect(problems).to.deep.equal([]);
  });

  it('counts ticked permissions per module and selects a whole module in the role editor', async () => {
    const { page, problems } = await signIn(w.admin.email, w.admin.password);
    await page.goto('/admin/roles/new');
    const crm = page.locator('fieldset.permission-group[data-module="crm"]');
    const total = await crm.locator('input[type=checkbox]').count();
    await crm.locator('input[value="crm.customer.read"]').check();
    expect((await crm.locator('[data-permission-count]').textContent())!.trim()).to.equal(`(1/${total})`);
    await crm.locator('[data-select-module]').click();
    expect((await crm.locator('[data-permission-count]').textContent())!.trim()).to.equal(`(${total}/${total})`);
    expect(await crm.locator('label', { hasText: 'See customers: list, search' }).count()).to.equal(1);
    await shot(page, 'admin-role-editor');
    expect(problems).to.deep.equal([]);
  });

  it('renders the API reference from the OpenAPI document, and screenshots the main pages', async () => {
    // A job in the ledger, so the jobs page has a chart to draw.
    const token = await w.t.token(w.admin.email);
    await supertest(w.t.app).post('/api/v1/crm/customers/import').query({ async: true }).set(bearer(token)).set('Content-Type', 'text/csv').send(`last_name,shop\n${uniq('Job')},${w.shops[0].code}\n`).expect(202);
    const { page, problems } = await signIn(w.admin.email, w.admin.password);
    await page.goto('/admin/jobs');
    await page.waitForSelector('[data-chart][data-charted="true"] canvas');
    await page.goto('/account/tokens');
    await Promise.all([page.waitForURL('**/admin/api', { waitUntil: 'commit' }), page.click('a[href="/admin/api"]')]);
    await page.waitForSelector('#swagger-ui .opblock', { timeout: 60_000 });
    await shot(page, 'admin-api-reference');
    await page.goto('/admin/jobs');
    await page.waitForSelector('[data-chart][data-charted="true"] canvas');
    await shot(page, 'admin-jobs');
    for (const [name, url] of [['crm-customers', '/crm/customers'], ['crm-groups', '/crm/groups'], ['admin-users', '/admin/users'], ['admin-roles', '/admin/roles'], ['admin-settings', '/admin/settings'], ['admin-shops', '/admin/shops'], ['account-tokens', '/account/tokens']]) {
      await page.goto(url);
      await shot(page, name);
    }
    expect(problems).to.deep.equal([]);
  });
});
