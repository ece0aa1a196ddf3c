/**
 * billing in a real browser: create an invoice with two lines (totals recomputed as you type), post
 * it, record a partial payment, see the residual and the customer statement, print the invoice.
 * Needs Debian's chromium; skipped without it, except in CI.
 */
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { billingWorld, makeCustomer, type BillingWorld } from './billing-fixtures';
import { CHROMIUM, requireChromium } from 'tessera/testing';


describe('billing in a browser @integration', function () {
  this.timeout(120_000);
  let w: BillingWorld;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async function () {
    requireChromium(this);
    w = await billingWorld();
    const baseUrl = await w.t.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    page = await (await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 900 } })).newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon/.test(m.location().url)) problems.push(`console: ${m.text()}`);
    });
  });

  after(async () => {
    await browser?.close();
  });

  it('creates a two-line invoice, posts it, takes a partial payment, shows the residual and the statement, prints', async () => {
    const customerId = await makeCustomer(w);
    const code = (await w.customers.get(w.ctx, customerId)).code;
    await page.goto('/login');
    await page.fill('#login-email', w.admin.email);
    await page.fill('#login-password', w.admin.password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')]);

    await page.goto('/billing/invoices/new');
    await page.fill('#doc-customer', code);
    const rows = page.locator('.billing-line');
    await rows.nth(0).locator('[name=product_code]').fill('ITEM');
    await rows.nth(0).locator('[name=quantity]').fill('2');
    await rows.nth(1).locator('[name=product_code]').fill('SVC');
    await rows.nth(1).locator('[name=quantity]').fill('1');
    // 2 × 10.00 + 18% = 23.60; 3.33 + 0.60 (0.5994 rounded half-up) = 3.93.
    await page.waitForFunction(() => document.querySelector('[data-total=total]')?.textContent === '27.53', undefined, { timeout: 5000 });
    await Promise.all([page.waitForURL(/\/billing\/invoices\/\d+$/), page.click('button[name=post]')]);
    expect(await page.locator('.doc-total').innerText()).to.contain('27.53');
    expect(await page.locator('.doc-status').innerText()).to.equal('posted');

    await page.selectOption('#pay-journal', String(w.journals.cash.id));
    await page.fill('#pay-amount', '10.00');
    await page.fill('#pay-reference', `BR-${customerId}`);
    await Promise.all([page.waitForURL(/\/billing\/invoices\/\d+$/), page.click('form[action$="/payment"] button[type=submit]')]);
    expect(await page.locator('.doc-residual').innerText()).to.contain('17.53');
    expect(await page.locator('.doc-status').innerText()).to.equal('partially_paid');
    const invoiceUrl = page.url();

    await page.goto(`/billing/customers/${customerId}/statement`);
    expect(await page.locator('.closing-balance').innerText()).to.contain('17.53');
    expect(await page.locator('.billing-statement tbody tr').count()).to.equal(3);

    await page.goto(`${invoiceUrl}/print`);
    expect(await page.locator('h1').innerText()).to.match(/^Invoice INV\//);
    const pdf = await page.request.get(`${invoiceUrl}/pdf`);
    expect(pdf.headers()['content-type']).to.equal('application/pdf');
    expect(problems).to.deep.equal([]);
  });
});
