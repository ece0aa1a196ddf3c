/**
 * A coupon in a real browser, as a cashier uses it: on a draft invoice's page the cashier types a
 * members' coupon code, the discount line appears and the total drops; a customer outside the group is
 * told why. A manager then sees the use on the report's chart. Screenshots at 1366 px go to test-results/.
 */
import path from 'node:path';
import { expect } from 'chai';
import { openBrowserPage, RESULTS, signIn, requireChromium } from 'tessera/testing';
import { couponWorld, draftInvoice, groupOf, makeCoupon, makeCustomer, type CouponWorld } from './coupons-fixtures';

/**
 * Submits the apply form and waits for the page it redirects to: the same URL as before, so waiting
 * for the URL alone would pass before the POST was even answered.
 */
async function applyTyped(page: import('playwright-core').Page): Promise<void> {
  await Promise.all([page.waitForResponse((r) => r.url().endsWith('/loyalty/coupons/apply') && r.request().method() === 'POST'), page.click('button:has-text("Apply coupon")')]);
  await page.waitForLoadState('load');
  await page.waitForSelector('.flash');
}

describe('loyalty coupons in a browser @integration', function () {
  this.timeout(120_000);
  let w: CouponWorld;
  let b: Awaited<ReturnType<typeof openBrowserPage>> | undefined;

  before(async function () {
    requireChromium(this);
    w = await couponWorld();
  });

  after(async () => {
    await b?.browser.close();
  });

  it('a cashier applies a members coupon on a draft invoice page; an outsider is refused with the reason; the report charts the use', async () => {
    const member = await makeCustomer(w);
    const outsider = await makeCustomer(w);
    const coupon = await makeCoupon(w, { name: 'Members 10 %', kind: 'percent', percent: 1000, amount: undefined, group_ids: [await groupOf(w, [member])] });
    const doc = await w.documents.createInvoice(w.ctx, { customerId: member, lines: [{ productCode: 'ITEM', quantity: 3 }] }); // 3540
    const other = await draftInvoice(w, outsider, 5000);
    const cashier = await w.t.createUser({ permissions: ['loyalty.coupon.apply', 'billing.document.read', 'billing.invoice.write', 'crm.customer.read'], companyIds: [w.companyId] });

    b = await openBrowserPage(await w.t.listen());
    const page = b.page;
    await signIn(page, cashier.email, cashier.password);
    await page.goto(`/billing/invoices/${doc.id}`);
    await page.fill('#field-code', coupon.code.toLowerCase());
    await applyTyped(page);
    expect(await page.textContent(".flash-success")).to.contain(`Coupon ${coupon.code} applied: 3.54 EUR off`);
    expect(await page.textContent('[data-test="coupons-applied"]')).to.contain(coupon.code);
    expect((await w.documents.get(w.ctx, doc.id)).total).to.equal(3540 - 354);
    expect(await page.textContent('.doc-total')).to.match(/31\.86/);
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-coupon-applied.png'), fullPage: true });

    await page.goto(`/billing/invoices/${other.id}`);
    await page.fill('#field-code', coupon.code);
    await applyTyped(page);
    expect(await page.textContent('.flash-error')).to.contain(`customer ${outsider} is in none of the coupon's groups`);
    expect((await w.documents.get(w.ctx, other.id)).total).to.equal(5000);

    const manager = await w.t.createUser({ permissions: ['loyalty.coupon.manage', 'billing.document.read'], companyIds: [w.companyId] });
    await page.context().clearCookies();
    await signIn(page, manager.email, manager.password);
    await page.goto('/loyalty/reports/coupons');
    await page.waitForSelector('#coupon-uses-chart[data-charted="true"] canvas');
    expect(await page.textContent('[data-test="coupon-use"]')).to.contain('Members 10 %');
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-coupon-report.png'), fullPage: true });
    expect(b.problems).to.deep.equal([]);
  });
});
