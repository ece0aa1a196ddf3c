/**
 * Bonus bundles in a real browser, as the call center uses them: a supervisor creates a by-shop group
 * and a bundle from the bundle form, an agent records a payment on the customer's plan page, and the
 * plan page shows the days bought and the bonus. Screenshots at 1366 px go to test-results/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeCustomer, makePlan, schemesWorld, uniq, type SchemesWorld } from './schemes-fixtures';
import { CHROMIUM, RESULTS, requireChromium } from 'tessera/testing';


describe('schemes bonus bundles in a browser @integration', function () {
  this.timeout(120_000);
  let w: SchemesWorld;
  let browser: Browser;
  const problems: string[] = [];

  before(async function () {
    requireChromium(this);
    w = await schemesWorld();
    await w.t.listen();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    fs.mkdirSync(RESULTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
  });

  async function signIn(email: string, password: string): Promise<Page> {
    const context = await browser.newContext({ baseURL: await w.t.listen(), viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/favicon/.test(m.location().url)) problems.push(`console: ${m.text()}`);
    });
    await page.goto('/login');
    await page.fill('#login-email', email);
    await page.fill('#login-password', password);
    await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.click('button[type=submit]')]);
    return page;
  }

  it('a supervisor configures a by-shop bundle, an agent records a payment, the plan shows days and bonus', async () => {
    const supervisor = await w.t.createUser({ permissions: ['schemes.bundle.manage', 'crm.group.manage', 'schemes.plan.read'], companyIds: [w.companyId] });
    const agent = await w.t.createUser({ permissions: ['schemes.bundle.read', 'schemes.plan.read', 'billing.payment.record'], companyIds: [w.companyId] });
    const customer = await makeCustomer(w, 1);
    const plan = await makePlan(w, customer);

    const s = await signIn(supervisor.email, supervisor.password);
    await s.goto('/crm/groups/new');
    const groupName = uniq('Shop B customers ');
    await s.fill('#field-name', groupName);
    await s.selectOption('#field-type', 'shop');
    await s.check(`input[name=shop_ids][value="${w.shops[1]}"]`);
    await Promise.all([s.waitForURL(/\/crm\/groups\/\d+$/), s.click('form button[type=submit].btn-primary')]);
    const groupId = Number(new URL(s.url()).pathname.split('/').pop());

    await s.click('nav.sidebar a[href="/crm/bundles"]');
    await s.click('a[href="/crm/bundles/new"]');
    const name = uniq('Buy 3 weeks, get 2 days ');
    await s.fill('#field-name', name);
    await s.selectOption('#field-journal_id', String(w.journals.discount.id));
    await s.fill('#field-trigger_count', '3');
    await s.selectOption('#field-trigger_unit', 'weeks');
    await s.fill('#field-reward_days', '2');
    await s.selectOption('#field-type', 'ontime_only');
    await s.check(`input[name=group_ids][value="${groupId}"]`);
    await s.screenshot({ path: path.join(RESULTS, 'schemes-bundle-form.png'), fullPage: true });
    await Promise.all([s.waitForURL(/\/crm\/bundles\/\d+$/), s.click('form button[type=submit].btn-primary')]);
    expect(await s.inputValue('#field-trigger_count')).to.equal('3');
    await s.goto('/crm/bundles');
    expect(await s.textContent('main')).to.contain(name);
    await s.screenshot({ path: path.join(RESULTS, 'schemes-bundle-list.png'), fullPage: true });

    const a = await signIn(agent.email, agent.password);
    await a.goto(`/schemes/plans/${plan.id}`);
    await a.fill('#field-amount', '8.40');
    await a.selectOption('#field-journal_id', String(w.journals.mobile.id));
    await a.fill('#field-reference', uniq('MP'));
    await Promise.all([a.waitForURL(new RegExp(`/schemes/plans/${plan.id}$`)), a.click('form[action$="/payments"] button[type=submit]')]);
    expect((await a.textContent('[data-test=days-bought]'))!.trim()).to.equal('21');
    expect((await a.textContent('[data-test=bonus-days]'))!.trim()).to.equal('2');
    expect(await a.locator('tr[data-kind=bonus]').textContent()).to.contain(name);
    await a.waitForSelector('#expiry-chart');
    await a.screenshot({ path: path.join(RESULTS, 'schemes-plan-after-payment.png'), fullPage: true });
    // The agent may read bundles but not configure them.
    await a.goto('/crm/bundles');
    expect(await a.locator('a[href="/crm/bundles/new"]').count()).to.equal(0);
    expect(problems).to.deep.equal([]);
  });
});
