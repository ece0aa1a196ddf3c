/**
 * Gold saving plans in a real browser, as the counter uses them: from the customer's page enrol in a
 * scheme, record a cash instalment with its receipt number, see it on the plan's ledger, download the
 * ledger (CSV), and close the plan with the code the customer received from a real HTTP SMS gateway.
 * Screenshots at 1366 px go to test-results/.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'chai';
import { RESULTS, openBrowserPage, signIn, type BrowserPage, requireChromium } from 'tessera/testing';
import { SCHEMES, type GoldPlanService } from '../api';
import { schemesWorld, type SchemesWorld } from './schemes-fixtures';
import { goldCustomer, makeScheme, type GoldWorld } from './gold-fixtures';

/** A real HTTP SMS gateway on a free port, keeping each message it was asked to send. */
async function startSmsGateway(): Promise<{ url: string; messages: Array<{ to: string; text: string }>; close(): Promise<void> }> {
  const messages: Array<{ to: string; text: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      messages.push({ to: body.to, text: body.text });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"gw-1","status":"accepted"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`, messages, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('gold saving plans in a browser @integration', function () {
  this.timeout(150_000);
  let w: GoldWorld;
  let b: BrowserPage;
  let gateway: Awaited<ReturnType<typeof startSmsGateway>>;

  before(async function () {
    requireChromium(this);
    gateway = await startSmsGateway();
    const base: SchemesWorld = await schemesWorld();
    await base.t.container.get<any>(Symbol.for('messaging.channel')).create(base.ctx, { channel: 'sms', endpoint: gateway.url, secret: 't' });
    w = { ...base, gold: base.t.container.get<GoldPlanService>(SCHEMES.GoldPlans), schemes: base.t.container.get<any>(SCHEMES.GoldSchemes), rates: base.t.container.get<any>(SCHEMES.GoldRates) };
    b = await openBrowserPage(await w.t.listen());
  });

  after(async () => {
    await b?.browser.close();
    await gateway?.close();
  });

  it('enrols from the customer page, records a cash instalment, downloads the ledger and closes with the texted code', async () => {
    const { page, problems } = b;
    const scheme = await makeScheme(w, { name: `Swarna 11+1 ${w.companyId}`, reward_kind: 'fixed', reward_instalments: 1 });
    const customer = await goldCustomer(w, { first_name: 'Meena' });
    const phone = (await w.customers.get(w.ctx, customer)).phone as string;
    const manager = await w.t.createUser({ permissions: ['crm.customer.read', 'schemes.scheme.manage', 'schemes.plan.enrol', 'schemes.plan.pay', 'schemes.plan.pause', 'schemes.plan.change', 'schemes.plan.close', 'schemes.plan.redeem'], companyIds: [w.companyId] });
    await signIn(page, manager.email, manager.password);

    await page.goto(`/crm/customers/${customer}`);
    await page.screenshot({ path: path.join(RESULTS, 'gold-customer-panel.png'), fullPage: true });
    await page.click('a[data-test="gold-enrol"]');
    await page.selectOption('#field-choice', `${scheme.id}:T2`);
    await page.screenshot({ path: path.join(RESULTS, 'gold-enrol.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/schemes\/gold-plans\/\d+$/), page.click('form[data-test="enrol-form"] button[type=submit]')]);
    const planId = Number(new URL(page.url()).pathname.split('/').pop());
    expect(await page.textContent('[data-test="plan-tier"]')).to.contain('T2');

    const reference = `RCPT-${planId}-001`;
    await page.fill('#field-amount', '20.00');
    await page.selectOption('#field-mode', 'cash');
    await page.fill('#field-reference', reference);
    await Promise.all([page.waitForURL(new RegExp(`/schemes/gold-plans/${planId}$`)), page.click('form[data-test="pay-form"] button[type=submit]')]);
    const ledger = await page.textContent('table[data-test="ledger"]');
    expect(ledger).to.contain(reference).and.contain('20.00');
    expect(await page.textContent('[data-test="paid-total"]')).to.contain('20.00');
    await page.screenshot({ path: path.join(RESULTS, 'gold-plan.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`a[href="/schemes/gold-plans/${planId}/ledger.csv"]`)]);
    expect(download.suggestedFilename()).to.equal(`gold-plan-${planId}-ledger.csv`);
    const csv = fs.readFileSync((await download.path()) as string, 'utf8').trim().split('\n');
    expect(csv[0]).to.match(/^date,kind,month,reference/);
    expect(csv).to.have.length(2);
    expect(csv[1]).to.contain(`instalment`).and.contain(reference).and.contain(',2000,');

    await Promise.all([page.waitForURL(new RegExp(`/schemes/gold-plans/${planId}$`)), page.click('button[data-test="send-close-code"]')]);
    await w.t.drainJobs();
    // Deliveries run side by side: the payment's receipt may reach the gateway after the code.
    const sms = gateway.messages.filter((m) => m.to === phone && /\bcode\b/i.test(m.text)).pop();
    const code = /\b(\d{6})\b/.exec(sms?.text ?? '')?.[1];
    expect(code, `no code texted to ${phone}: ${JSON.stringify(gateway.messages)}`).to.be.a('string');
    // A wrong code first: refused beside the field, the plan stays open.
    await page.fill('#field-code', code === '000000' ? '111111' : '000000');
    await page.click('form[data-test="close-form"] button[type=submit]');
    await page.waitForSelector('#field-code-error');
    await page.screenshot({ path: path.join(RESULTS, 'gold-close-wrong-code.png'), fullPage: true });
    expect((await w.gold.get(w.ctx, planId)).status).to.equal('active');
    await page.fill('#field-code', code as string);
    await Promise.all([page.waitForURL(new RegExp(`/schemes/gold-plans/${planId}$`)), page.click('form[data-test="close-form"] button[type=submit]')]);
    expect(await page.textContent('[data-test="plan-status"]')).to.equal('closed');
    expect(await page.locator('form[data-test="close-form"]').count()).to.equal(0);
    await page.screenshot({ path: path.join(RESULTS, 'gold-plan-closed.png'), fullPage: true });
    expect((await w.gold.get(w.ctx, planId))).to.include({ status: 'closed', closed_by: manager.id });
    // The wrong code's page answered 422 on purpose (the browser logs it); nothing else may go wrong.
    await page.goto(`/schemes/gold-plans?customer_id=${customer}`);
    expect(await page.locator(`a[href="/schemes/gold-plans/${planId}"]`).count()).to.be.greaterThan(0);
    await page.screenshot({ path: path.join(RESULTS, 'gold-plans-list.png'), fullPage: true });
    await page.goto('/schemes/gold-schemes');
    await page.screenshot({ path: path.join(RESULTS, 'gold-schemes-list.png'), fullPage: true });
    expect(problems.filter((p) => !/status of 422/.test(p))).to.deep.equal([]);
  });
});
