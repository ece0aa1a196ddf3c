/**
 * A stamp card's life in a real browser: a manager issues it from the cards form, the customer's web
 * card shows its QR code, the counter scans that code (a picture of it fed to the scanner page), adds
 * stamps until the reward and gives it. Screenshots at 1366 px (and the phone-sized web card) go to
 * test-results/.
 */
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { openBrowserPage, RESULTS, signIn, startTestApp, type BrowserPage, type TestApp, requireChromium } from 'tessera/testing';
import { CRM, type CustomerService } from '../../crm/api';
import { uniq } from './test-helpers';


describe('loyalty stamp card in a browser @integration', function () {
  this.timeout(120_000);
  let t: TestApp;
  let b: BrowserPage;
  let base: string;

  before(async function () {
    requireChromium(this);
    t = await startTestApp();
    base = await t.listen();
    b = await openBrowserPage(base);
  });

  after(async () => {
    await b?.browser.close();
  });

  it('issues a card, shows it on the phone, scans its QR code, stamps it to the reward and gives the reward', async () => {
    const now = new Date();
    const code = uniq('B').toUpperCase().slice(0, 10);
    const [companyId] = await t.knex('core_companies').insert({ code, name: `Bakery ${code}`, currency: 'EUR', timezone: 'Europe/Paris', created_at: now, updated_at: now });
    const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [Number(companyId)] });
    const ctx = await t.contextFor(admin.id, Number(companyId));
    const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: 'Bakery counter' });
    const customer = await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: 'Noor', last_name: uniq('Haddad'), shop_id: shop.id });
    const manager = await t.createUser({ permissions: ['loyalty.template.manage', 'loyalty.card.issue', 'loyalty.card.scan', 'crm.customer.read', 'loyalty.card.all_shops'], companyIds: [Number(companyId)] });
    const token = await t.token(manager.email);
    const template = await supertest(t.app).post('/api/v1/loyalty/card-templates').set({ Authorization: `Bearer ${token}` }).send({
      name: 'Croissant card', type: 'stamp', rules: { stamp_step: null, milestones: [{ stamps: 3, reward: 'Free croissant' }], life: { kind: 'days_since_last', days: 90 } },
      design: { background: '#5b3a29', foreground: '#fff8ee', accent: '#f4c06a' },
    });
    expect(template.status, JSON.stringify(template.body)).to.equal(201);

    const { page, problems } = b;
    await signIn(page, manager.email, manager.password);
    await page.goto('/loyalty/cards/new');
    await page.fill('#field-template_id', String(template.body.id));
    await page.fill('#field-customer_id', String(customer.id));
    await Promise.all([page.waitForURL(/\/loyalty\/cards\/\d+$/), page.click('main form button[type=submit]')]);
    const cardId = Number(new URL(page.url()).pathname.split('/').pop());
    const card = await t.knex('loyalty_cards').where({ id: cardId }).first('number', 'secret');

    // The customer's phone: no sign-in, the card's colours and its QR code.
    const phone = await (await b.browser.newContext({ baseURL: base, viewport: { width: 390, height: 780 } })).newPage();
    await phone.goto(`/w/${card.secret}`);
    await expect(await phone.textContent('.web-card h1')).to.equal('Croissant card');
    expect(await phone.locator('.web-card .qr svg').count()).to.equal(1);
    expect(await phone.evaluate(() => getComputedStyle(document.querySelector('.web-card')!).backgroundColor)).to.equal('rgb(91, 58, 41)');
    await phone.screenshot({ path: path.join(RESULTS, 'loyalty-web-card-phone.png') });
    const picture = path.join(os.tmpdir(), `card-${cardId}.png`);
    // A picture of the code as the phone shows it, as a camera would take it.
    await phone.locator('.web-card .qr').screenshot({ path: picture });

    // The counter: a picture of the code on the scanner page opens the card.
    await page.goto('/loyalty/scanner');
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-scanner-1366.png') });
    await Promise.all([page.waitForURL(new RegExp(`/loyalty/scanner/cards/${cardId}$`)), page.setInputFiles('#scanner-file', picture)]);
    for (let stamp = 1; stamp <= 3; stamp++) {
      await Promise.all([page.waitForLoadState('load'), page.locator('form.scanner-form:has(input[value=stamp]) button').click()]);
      await page.waitForSelector(`[data-figure=stamps]:text-is("${stamp}")`);
    }
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-scanner-card-1366.png'), fullPage: true });
    await Promise.all([page.waitForLoadState('load'), page.locator('form.scanner-form:has(input[value=redeem_reward]) button').click()]);
    await page.waitForSelector('[data-figure=stamps]:text-is("0")');
    expect(await page.textContent('.flash')).to.contain('Reward given: Free croissant');

    await phone.reload();
    expect(await phone.textContent('.web-card-state')).to.contain('0 of 3');
    const moves = await t.knex('loyalty_card_transactions').where({ card_id: cardId }).orderBy('id').pluck('action');
    expect(moves).to.deep.equal(['stamp', 'stamp', 'stamp', 'redeem_reward']);
    expect(problems).to.deep.equal([]);
  });
});
