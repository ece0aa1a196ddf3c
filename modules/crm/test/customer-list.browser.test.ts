/**
 * The customer list in a real browser at 1366 px, as people who live in it use it: sort by clicking a
 * header, save a filter and reapply it, tag ticked customers after a confirmation. The filter bar keeps
 * to one line and the table scrolls with the page, not in a box of its own. Screenshots of the list
 * pages go to test-results/ (not committed).
 *
 * Needs Debian's chromium; skipped without it, except in CI where it must run.
 */
import path from 'node:path';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TestApp, RESULTS, openBrowserPage, signIn, requireChromium } from 'tessera/testing';
import { CRM, type CustomerService } from '../api';
import { uniq } from './crm-fixtures';


describe('crm customer list in a browser @integration', function () {
  this.timeout(120_000);

  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let last: string;
  let problems: string[] = [];

  before(async function () {
    requireChromium(this);
    t = await startTestApp();
    const baseUrl = await t.listen();
    const adminId = Number((await t.knex('core_users').where({ email: t.admin.email }).first()).id);
    const ctx = await t.contextFor(adminId, t.companyId);
    const shop = (await t.container.get<any>(Symbol.for('base.ShopService')).list(ctx)).find((s: any) => s.company_id === t.companyId);
    last = uniq('Brow');
    const customers = t.container.get<CustomerService>(CRM.Customers);
    for (const first of ['Anna', 'Boris', 'Chloe', 'Dmitri']) await customers.create(ctx, { first_name: first, last_name: last, shop_id: shop.id });
    ({ browser, page, problems } = await openBrowserPage(baseUrl));
    await signIn(page, t.admin.email, t.admin.password);
  });

  after(async () => {
    await browser?.close();
  });

  const names = async () => (await page.locator('table.customer-table tbody tr td:nth-child(3) a').allTextContents()).map((s) => s.split(' ')[0]);

  it('lays the filter bar on one line at 1366 px, with the table in the page, not in a scrolling box', async () => {
    await page.goto('/crm/customers');
    const tops = await page.locator('form.filters > *:visible').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().bottom)));
    expect(new Set(tops).size, `bottoms of the filter bar's items: ${tops.join(', ')}`).to.equal(1);
    const box = await page.locator('.table-wrap').evaluate((el) => {
      const style = getComputedStyle(el);
      return { overflowY: style.overflowY, scrolls: el.scrollHeight > el.clientHeight + 1 };
    });
    expect(box).to.deep.equal({ overflowY: 'visible', scrolls: false });
    await page.screenshot({ path: path.join(RESULTS, 'customers-list-1366.png'), fullPage: true });
    await page.click('details.more-filters > summary');
    await page.screenshot({ path: path.join(RESULTS, 'customers-list-more-filters-1366.png') });
  });

  it('sorts by clicking a column header, and back', async () => {
    await page.goto(`/crm/customers?q=${last}`);
    expect(await names()).to.deep.equal(['Anna', 'Boris', 'Chloe', 'Dmitri']);
    await Promise.all([page.waitForURL(/sort=-name/), page.click('thead a.sort-link:has-text("Name")')]);
    expect(await names()).to.deep.equal(['Dmitri', 'Chloe', 'Boris', 'Anna']);
    expect(await page.getAttribute('thead th[aria-sort]', 'aria-sort')).to.equal('descending');
    await Promise.all([page.waitForURL(/sort=name/), page.click('thead a.sort-link:has-text("Name")')]);
    expect(await names()).to.deep.equal(['Anna', 'Boris', 'Chloe', 'Dmitri']);
  });

  it('saves a filter and reapplies it from the saved filters', async () => {
    await page.goto(`/crm/customers?q=${last}&sort=-name`);
    await page.click('details.saved-filters > summary');
    await page.fill('#save-filter-name', `Mine ${last}`);
    await Promise.all([page.waitForURL(/q=/), page.click('form.save-filter button[type=submit]')]);
    await page.goto('/crm/customers');
    await page.click('details.saved-filters > summary');
    await Promise.all([page.waitForURL(new RegExp(`q=${last}`)), page.click(`.saved-filter-list a:has-text("Mine ${last}")`)]);
    expect(await names()).to.deep.equal(['Dmitri', 'Chloe', 'Boris', 'Anna']);
    expect(await page.inputValue('#customers-q')).to.equal(last);
  });

  it('tags the ticked customers after a confirmation page', async () => {
    await page.goto(`/crm/customers?q=${last}`);
    await page.check('input[name="ids"][aria-label="Tick Anna ' + last + '"]');
    await page.check('input[name="ids"][aria-label="Tick Boris ' + last + '"]');
    await page.selectOption('#bulk-action', 'tag');
    await Promise.all([page.waitForURL(/\/crm\/customers\/bulk$/), page.click('#bulk-form button[value="ticked"]')]);
    expect(await page.textContent('.bulk-question')).to.equal('Add the tag typed below to 2 customers?');
    await page.screenshot({ path: path.join(RESULTS, 'customers-bulk-confirm-1366.png') });
    await page.fill('#bulk-tag', 'browser-vip');
    await Promise.all([page.waitForURL(/\/crm\/customers\?/), page.click('form[action="/crm/customers/bulk/tag"] button[type=submit]')]);
    expect(await page.textContent('.flash')).to.contain('Tag added to 2 customers.');
    const tagged = await page.locator('tbody tr', { hasText: 'browser-vip' }).count();
    expect(tagged).to.equal(2);
  });

  it('shows the shops list and the audit log at 1366 px', async () => {
    await page.goto('/admin/shops');
    expect(await page.locator('.list-count').textContent()).to.match(/\d+ shops?/);
    await page.screenshot({ path: path.join(RESULTS, 'shops-list-1366.png'), fullPage: true });
    await page.goto('/admin/audit?type=crm.customer');
    expect(await page.locator('table.audit-log tbody tr').count()).to.be.greaterThan(0);
    await page.screenshot({ path: path.join(RESULTS, 'audit-log-1366.png'), fullPage: true });
    expect(problems).to.deep.equal([]);
  });
});
