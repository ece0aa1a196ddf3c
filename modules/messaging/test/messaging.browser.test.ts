/**
 * messaging in a real browser at 1366 px: book appointments on the calendar until the day shows FULL in
 * the week view, overbook with the confirmation, take a message, then sign in as the representative and
 * see the reminders on the home page. Screenshots go to test-results/ (not committed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { makeCustomer, messagingWorld, setSettings, type MessagingWorld } from './messaging-fixtures';
import { MESSAGING_PERMISSIONS as P } from '../api';
import { CHROMIUM, RESULTS, requireChromium } from 'tessera/testing';


describe('messaging in a browser @integration', function () {
  this.timeout(120_000);
  let w: MessagingWorld;
  let browser: Browser;
  let baseUrl: string;
  let customerId: number;
  let repUser: { email: string; password: string };
  const problems: string[] = [];
  const today = new Date().toISOString().slice(0, 10);

  const open = async (email: string, password: string): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      // The FULL answer is a 409 page on purpose; the browser logs its status.
      if (m.type() === 'error' && !/favicon/.test(m.location().url) && !/status of 409/.test(m.text())) problems.push(`console: ${m.text()}`);
    });
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto('/login');
    await page.fill('#login-email', email);
    await page.fill('#login-password', password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')]);
    return { context, page };
  };

  const book = async (page: Page, start: string, end: string) => {
    await page.fill('#book-customer', String(customerId));
    await page.selectOption('#book-rep', String(w.reps[0].id));
    await page.fill('#book-day', today);
    await page.fill('#book-start', start);
    await page.fill('#book-end', end);
    await Promise.all([page.waitForLoadState('load'), page.click('#book-form button[type=submit]')]);
  };

  before(async function () {
    requireChromium(this);
    w = await messagingWorld();
    await setSettings(w, { max_events_per_day: 2, max_events_per_representative: 0 });
    customerId = (await makeCustomer(w, { first_name: 'Nadia' })).id;
    const user = await w.t.createUser({ permissions: [P.appointmentRead, P.messageRead], companyIds: [w.companyId] });
    repUser = user;
    await w.t.container.get<any>(Symbol.for('messaging.representative')).update(w.ctx, w.reps[0].id, { user_id: user.id });
    baseUrl = await w.t.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  it('books until the day is FULL in the week view, then overbooks with confirmation', async () => {
    const { context, page } = await open(w.admin.email, w.admin.password);
    await page.goto(`/messaging/calendar?view=week&date=${today}`);
    await book(page, '09:00', '09:30');
    expect(await page.textContent('.flash-stack, .flash')).to.contain('booked');
    await book(page, '10:00', '10:30');
    const cell = page.locator(`.calendar-week .cal-day[data-day="${today}"]`);
    expect(await cell.locator('.cal-full-badge').count()).to.equal(1);
    await page.screenshot({ path: path.join(RESULTS, 'messaging-week-full.png'), fullPage: true });

    await book(page, '11:00', '11:30');
    expect(await page.textContent('#book')).to.contain('is FULL (2 of 2)');
    await page.screenshot({ path: path.join(RESULTS, 'messaging-overbook-confirm.png'), fullPage: true });
    await page.check('#book-confirm');
    await Promise.all([page.waitForURL(/view=week/), page.click('#book-form button[type=submit]')]);
    expect(await page.textContent('body')).to.contain('booked past FULL');
    expect(await cell.locator('.badge-warning').count()).to.equal(1);
    await page.goto(`/messaging/calendar?view=month&date=${today}`);
    expect(await page.locator(`.calendar-month td[data-day="${today}"] .cal-full-badge`).count()).to.equal(1);
    await page.screenshot({ path: path.join(RESULTS, 'messaging-month.png'), fullPage: true });

    await page.goto('/messaging/messages/new');
    await page.fill('#field-customer_id', String(customerId));
    await page.selectOption('#field-representative_id', String(w.reps[0].id));
    await page.fill('#field-subject', 'Please call Nadia back');
    await Promise.all([page.waitForURL(/\/messaging\/messages\/\d+$/), page.click('form button[type=submit].btn-primary')]);
    expect(await page.textContent('body')).to.contain('Please call Nadia back');
    await context.close();
  });

  it('shows the representative their reminders on the home page as soon as they sign in', async () => {
    const { context, page } = await open(repUser.email, repUser.password);
    const panel = page.locator('.messaging-reminders');
    expect(await panel.textContent()).to.contain('Please call Nadia back').and.contain('3 today');
    await page.screenshot({ path: path.join(RESULTS, 'messaging-home-reminders.png'), fullPage: true });
    await context.close();
    expect(problems.join("\n")).to.equal("");
  });
});
