/**
 * crm in a real browser, as call-center staff use it: sign in, create a customer, find it by typing
 * the start of its phone, build a group by shop and see the customer in it; then import a CSV file
 * chosen in the file picker, with the preview and the progress page. Screenshots go to test-results/.
 *
 * Needs Debian's chromium; skipped without it, except in CI where it must run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, Browser, Page } from 'playwright-core';
import { startTestApp, TestApp, CHROMIUM, RESULTS, requireChromium } from 'tessera/testing';
import { uniq, uniqDigits } from './crm-fixtures';


describe('crm in a browser @integration', function () {
  this.timeout(120_000);

  let t: TestApp;
  let baseUrl: string;
  let browser: Browser;
  let shop: { id: number; code: string; name: string };
  let page: Page;
  const problems: string[] = [];

  before(async function () {
    requireChromium(this);
    t = await startTestApp();
    baseUrl = await t.listen();
    // A shop of its own, so the group built below holds only what this test puts in it.
    const adminId = Number((await t.knex('core_users').where({ email: t.admin.email }).first()).id);
    const ctx = await t.contextFor(adminId, t.companyId);
    const code = uniq('BR').toUpperCase().slice(0, 8);
    shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code, name: `Browser shop ${code}` });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && !/favicon/.test(message.location().url)) problems.push(`console: ${message.text()}`);
    });
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  it('logs in, creates a customer, finds it by a phone prefix, groups its shop and sees it there', async () => {
    await page.goto('/login');
    await page.fill('#login-email', t.admin.email);
    await page.fill('#login-password', t.admin.password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')]);

    const last = uniq('Browser');
    const phone = '06' + uniqDigits(8);
    const spaced = phone.replace(/(\d\d)(?=\d)/g, '$1 ');
    await page.click('nav.sidebar a[href="/crm/customers"]');
    await page.click('a[href="/crm/customers/new"]');
    await page.fill('#field-first_name', 'Nadia');
    await page.fill('#field-last_name', last);
    await page.fill('#field-phone', spaced);
    await page.fill('#field-email', `${last.toLowerCase()}@example.com`);
    await page.selectOption('#field-shop_id', String(shop.id));
    await page.fill('#field-tags', 'vip');
    await Promise.all([page.waitForURL(/\/crm\/customers\/\d+$/), page.click('form button[type=submit].btn-primary')]);
    await expect(await page.textContent('h1')).to.contain(last);
    const customerUrl = new URL(page.url()).pathname;
    const code = (await page.textContent('h1 .badge'))!.trim();

    await page.goto('/crm/customers');
    await page.fill('#customers-q', phone.slice(0, 6));
    await Promise.all([page.waitForURL(/q=/), page.press('#customers-q', 'Enter')]);
    const rows = page.locator('table.customer-table tbody tr');
    await expect(await rows.filter({ hasText: last }).count()).to.equal(1);
    await page.screenshot({ path: path.join(RESULTS, 'crm-customer-search.png'), fullPage: true });
    await rows.filter({ hasText: last }).locator(`a[href="${customerUrl}"]`).first().click();
    await page.waitForURL((url) => url.pathname === customerUrl);

    await page.goto('/crm/groups/new');
    const groupName = uniq('Shop group ');
    await page.fill('#field-name', groupName);
    await page.selectOption('#field-type', 'shop');
    await page.check(`input[name=shop_ids][value="${shop.id}"]`);
    await Promise.all([page.waitForURL(/\/crm\/groups\/\d+$/), page.click('form button[type=submit].btn-primary')]);
    await expect(await page.textContent('h1')).to.contain(groupName);
    await expect((await page.textContent('[data-member-count]'))!.trim()).to.equal('1');
    const members = page.locator('table.group-members tbody tr');
    await expect(await members.count()).to.equal(1);
    await expect(await members.first().textContent()).to.contain(code);
    await page.screenshot({ path: path.join(RESULTS, 'crm-group.png'), fullPage: true });

    // The customer page lists the group.
    await page.goto(customerUrl);
    await expect(await page.locator('#customer-groups + ul').textContent()).to.contain(groupName);
    await page.screenshot({ path: path.join(RESULTS, 'crm-customer.png'), fullPage: true });
    expect(problems).to.deep.equal([]);
  });

  it('imports a chosen CSV file: preview with the bad lines, then the import with its progress', async () => {
    const p = uniq('BI').toUpperCase();
    const csv = ['code,first_name,last_name,phone,shop', `${p}-1,Ines,Good,0611223344,${shop.code}`, `${p}-2,Oli,,0611223345,${shop.code}`, `${p}-3,Pia,Fine,,${shop.name}`].join('\n');
    const file = path.join(RESULTS, `${p}.csv`);
    fs.writeFileSync(file, csv);
    await page.goto('/crm/customers/import');
    await page.setInputFiles('#import-file', file);
    await Promise.all([page.waitForURL(/\/crm\/imports\/\d+$/), page.click('#import-form button[type=submit]')]);
    await page.waitForSelector('table.import-errors', { timeout: 30_000 });
    await expect(await page.textContent('table.import-errors tbody')).to.match(/3\s*last_name\s*is required/);
    await page.screenshot({ path: path.join(RESULTS, 'crm-import-preview.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/crm\/imports\/\d+$/), page.click('form[action$="/run"] button[type=submit]')]);
    await page.waitForSelector('text=Import finished.', { timeout: 30_000 });
    await expect((await page.textContent('[data-count="created"]'))!.trim()).to.equal('2');
    await page.screenshot({ path: path.join(RESULTS, 'crm-import-done.png'), fullPage: true });
    expect(problems).to.deep.equal([]);
  });
});
