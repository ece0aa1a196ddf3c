/**
 * Campaigns and automations from the back office in a real browser: configure an automation (texts,
 * delays), send a campaign from its form (a refused form first), see its counts, and cancel a scheduled one
 * from its page (the confirmation accepted). Screenshots at
 * 1366 px go to test-results/.
 */
import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { openBrowserPage, RESULTS, signIn, startTestApp, type BrowserPage, type TestApp, requireChromium } from 'tessera/testing';
import { CRM, type CustomerService } from '../../crm/api';
import { smsGateway, uniq } from './test-helpers';


describe('loyalty campaigns and automations in a browser @integration', function () {
  this.timeout(120_000);
  let t: TestApp;
  let b: BrowserPage;
  let base: string;
  // The company's SMS gateway: takes every message.
  const gateway = smsGateway();
  const texts = gateway.texts;

  before(async function () {
    requireChromium(this);
    t = await startTestApp();
    base = await t.listen();
    b = await openBrowserPage(base);
  });

  after(async () => {
    await b?.browser.close();
    await gateway.close();
  });

  it('configures an automation, sends a campaign to all card holders and shows its counts', async () => {
    const now = new Date();
    const code = uniq('C').toUpperCase().slice(0, 10);
    const [companyId] = await t.knex('core_companies').insert({ code, name: `Cafe ${code}`, currency: 'EUR', timezone: 'Europe/Paris', created_at: now, updated_at: now });
    const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [Number(companyId)] });
    const ctx = await t.contextFor(admin.id, Number(companyId));
    const token = await t.token(admin.email);
    const api = () => supertest(t.app);
    const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: 'Cafe counter' });
    const template = await api().post('/api/v1/loyalty/card-templates').set({ Authorization: `Bearer ${token}` }).send({ name: 'Coffee card', type: 'stamp', rules: { stamp_step: null, milestones: [{ stamps: 5, reward: 'Free coffee' }], life: { kind: 'unlimited' } } });
    expect(template.status, JSON.stringify(template.body)).to.equal(201);
    const endpoint = await gateway.start();
    const channel = await api().post('/api/v1/messaging/channels').set({ Authorization: `Bearer ${token}` }).send({ channel: 'sms', endpoint, secret: 'gw-token', sender: 'CAFE' });
    expect(channel.status, JSON.stringify(channel.body)).to.equal(201);
    // Ines has a phone, Omar none: one message sent, one skipped.
    for (const [first, phone] of [['Ines', `06${String(Date.now()).slice(-8)}`], ['Omar', null]] as const) {
      const customer = await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: first, last_name: uniq('Cafe'), phone, shop_id: shop.id });
      expect((await api().post('/api/v1/loyalty/cards').set({ Authorization: `Bearer ${token}` }).send({ template_id: template.body.id, customer_id: customer.id })).status).to.equal(201);
    }
    const marketer = await t.createUser({ permissions: ['loyalty.campaign.send', 'loyalty.template.manage', 'crm.customer.read', 'loyalty.card.all_shops'], companyIds: [Number(companyId)] });
    const { page, problems } = b;
    await signIn(page, marketer.email, marketer.password);

    // Automations: the form, then the list.
    await page.goto('/loyalty/card-automations/new');
    await page.selectOption('#field-template_id', String(template.body.id));
    await page.check('#field-birthday');
    await page.fill('#field-next_visit_days', '14');
    await page.fill('#field-feedback_days', '1');
    await page.fill('#field-birthday_message', 'Happy birthday! Your coffee is on us today.');
    await page.fill('#field-next_visit_message', 'Two weeks already? Your card is waiting.');
    await page.fill('#field-feedback_message', 'How was your coffee?');
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-automation-form-1366.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/loyalty\/card-automations\/\d+$/), page.click('main form button[type=submit]')]);
    const automation = await t.knex('loyalty_card_automations').where({ company_id: Number(companyId) }).first();
    expect(automation).to.include({ next_visit_days: 14, feedback_days: 1, next_visit_message: 'Two weeks already? Your card is waiting.' });
    await page.goto('/loyalty/card-automations');
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-automations-1366.png'), fullPage: true });

    // Campaigns: the list links to the form; a form without a message is refused, naming it.
    await page.goto('/loyalty/card-campaigns');
    await Promise.all([page.waitForURL(/\/loyalty\/card-campaigns\/new$/), page.click('[data-test=new-campaign]')]);
    await page.selectOption('#field-audience', 'all');
    await page.selectOption('#field-template_id', String(template.body.id));
    await Promise.all([page.waitForLoadState('load'), page.click('main form button[type=submit]')]);
    expect(await page.textContent('#field-message-error')).to.match(/needed/);
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-campaign-form-refused-1366.png'), fullPage: true });
    await page.fill('#field-message', 'Double stamps all weekend!');
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-campaign-form-1366.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/loyalty\/card-campaigns\/\d+$/), page.click('main form button[type=submit]')]);
    await t.drainJobs();
    await t.drainJobs();
    await page.reload();
    expect(await page.textContent('[data-test=campaign-status]')).to.equal('sent');
    expect(await page.textContent('[data-test=sent]')).to.equal('1');
    expect(await page.textContent('[data-test=skipped]')).to.equal('1');
    expect(await page.textContent('[data-test=delivered]')).to.equal('1');
    expect(texts.join('\n')).to.contain('Double stamps all weekend!');
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-campaign-1366.png'), fullPage: true });
    await page.goto('/loyalty/card-campaigns');
    expect(await page.locator('[data-test=campaign-row]').count()).to.equal(1);
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-campaigns-1366.png'), fullPage: true });
    // A campaign scheduled for tomorrow is cancelled from its page, after confirming: nothing of it will go out.
    const later = await api().post('/api/v1/loyalty/card-campaigns').set({ Authorization: `Bearer ${token}` }).send({ audience: 'all', message: 'Tomorrow only', send_at: new Date(Date.now() + 86_400_000).toISOString() });
    expect(later.status, JSON.stringify(later.body)).to.equal(202);
    await page.goto(`/loyalty/card-campaigns/${later.body.id}`);
    expect(await page.textContent('[data-test=campaign-status]')).to.equal('scheduled');
    const asked: string[] = [];
    page.once('dialog', (dialog) => { asked.push(dialog.message()); void dialog.accept(); });
    await Promise.all([page.waitForURL(new RegExp(`/loyalty/card-campaigns/${later.body.id}$`)), page.waitForLoadState('load'), page.click('[data-test=cancel-campaign]')]);
    await page.waitForSelector('[data-status=cancelled]');
    expect(asked).to.have.length(1);
    expect(asked[0]).to.contain(`Cancel campaign #${later.body.id}?`);
    expect(await page.textContent('[data-test=campaign-status]')).to.equal('cancelled');
    expect(await page.locator('[data-test=cancel-campaign]').count()).to.equal(0);
    await page.screenshot({ path: path.join(RESULTS, 'loyalty-campaign-cancelled-1366.png'), fullPage: true });
    // The refused form answers 422 on purpose; nothing else may go wrong.
    expect(problems.filter((p) => !/status of 422/.test(p))).to.deep.equal([]);
  });
});
