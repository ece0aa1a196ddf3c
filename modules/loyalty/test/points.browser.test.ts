/**
 * Points in a real browser: enable points on the settings page, give a customer a card, sell at
 * billing's counter, see the points on the customer page, spend a tranche on the next invoice.
 * Needs Debian's chromium; skipped without it, except in CI.
 */
import { expect } from 'chai';
import { openBrowserPage, signIn, requireChromium } from 'tessera/testing';
import { makeCustomer, pointsWorld, type PointsWorld } from './points-fixtures';

describe('loyalty points in a browser @integration', function () {
  this.timeout(180_000);
  let w: PointsWorld;
  let b: Awaited<ReturnType<typeof openBrowserPage>>;

  before(async function () {
    requireChromium(this);
    w = await pointsWorld();
    b = await openBrowserPage(await w.t.listen());
  });

  after(async () => {
    await b?.browser.close();
  });

  it('enable points, sell at the counter with a card, see the points, spend a tranche on the next invoice', async () => {
    const { page } = b;
    const customerId = await makeCustomer(w);
    const code = (await w.customers.get(w.ctx, customerId)).code;
    await signIn(page, w.admin.email, w.admin.password);

    // Enable points: 2 points per euro, card mandatory, tranches of 100 points worth 5.00.
    await page.goto('/loyalty');
    await Promise.all([page.waitForURL('**/loyalty/points/settings'), page.click('a[href="/loyalty/points/settings"]')]);
    await page.check('#field-active');
    await page.check('#field-card_mandatory');
    await page.fill('#field-ratio', '2');
    await page.selectOption('#field-mode', 'tranche');
    await page.fill('#field-tranche_points', '100');
    await page.fill('#field-tranche_value', '5.00');
    await page.fill('#field-product_code', 'PTS');
    await Promise.all([page.waitForURL('**/loyalty/points/settings'), page.click('form[action="/loyalty/points/settings"] button[type=submit]')]);
    expect(await page.locator('.flash').first().innerText()).to.contain('saved');

    // The customer's card, from the points panel of the customer page.
    await page.goto(`/crm/customers/${customerId}`);
    await page.fill('#field-card_number', `CARD-${customerId}`);
    await Promise.all([page.waitForURL(`**/crm/customers/${customerId}`), page.click('form[action$="/points/card"] button[type=submit]')]);
    expect(await page.locator('[data-test=points-card]').innerText()).to.equal(`CARD-${customerId}`);

    // Sell at the counter: 1 × ITEM (100.00) + 1 × ITEM at 23.45 = 123.45 → floor(246.9) = 246 points.
    await page.goto('/billing/counter');
    await page.fill('#ct-customer', code);
    const rows = page.locator('table.data tbody tr');
    await rows.nth(0).locator('select[name=product_code]').selectOption('ITEM');
    await rows.nth(1).locator('select[name=product_code]').selectOption('ITEM');
    await rows.nth(1).locator('input[name=unit_price]').fill('23.45');
    await page.selectOption('#ct-journal', String(w.journals.cash.id));
    await Promise.all([page.waitForURL(/\/billing\/invoices\/\d+$/), page.click('button:has-text("Invoice and pay")')]);

    await page.goto(`/crm/customers/${customerId}`);
    expect(await page.locator('[data-test=points-balance]').innerText()).to.equal('246');
    expect(await page.locator('tr[data-kind=earned]').count()).to.equal(1);

    // The next invoice, a draft of 12.00: min(floor(246 / 100), floor(1200 / 500)) = 2 tranches, 10.00 off.
    await page.goto('/billing/invoices/new');
    await page.fill('#doc-customer', code);
    const line = page.locator('.billing-line').nth(0);
    await line.locator('[name=product_code]').fill('ITEM');
    await line.locator('[name=quantity]').fill('1');
    await line.locator('[name=unit_price]').fill('12.00');
    await Promise.all([page.waitForURL(/\/billing\/invoices\/\d+$/), page.click('button:has-text("Save draft")')]);
    expect(await page.locator('[data-test=points-available]').innerText()).to.equal('246');
    await Promise.all([page.waitForURL(/\/billing\/invoices\/\d+$/), page.click('form[action="/loyalty/redemptions"] button')]);
    expect(await page.locator('[data-test=points-spent]').innerText()).to.contain('200 points spent').and.contain('10.00');
    expect(await page.locator('.doc-total').innerText()).to.contain('2.00');

    await page.goto(`/crm/customers/${customerId}`);
    expect(await page.locator('[data-test=points-balance]').innerText()).to.equal('46');

    // The liability report: 46 points outstanding at 5.00 per 100 = 2.30, and its chart drawn by chart.js.
    await page.goto('/loyalty/points/liability');
    expect(await page.locator('[data-test=points-outstanding]').innerText()).to.equal('46');
    expect(await page.locator('[data-test=liability-value]').innerText()).to.contain('2.30');
    await page.waitForFunction(() => Boolean((document.querySelector('canvas.loyalty-chart') as any)?.chart), undefined, { timeout: 10_000 });
    expect(b.problems).to.deep.equal([]);
  });
});
