import { expect } from 'chai';
import supertest from 'supertest';
import { addCalendarDays, dayIn } from 'tessera/core';
import { csrfFrom, startTestApp, type TestApp } from 'tessera/testing';
import { CRM, type CustomerService } from '../../crm/api';
import { runAutomations } from '../cards/reach/automations';
import { bearer, digits, smsGateway, uniq } from './test-helpers';


describe('loyalty cards: campaign and automation pages @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let companyId: number;
  let ctx: any;
  let adminToken: string;
  let templateId: number;
  let sender: { email: string; password: string };
  const holders: number[] = [];
  const today = dayIn(new Date(), 'Europe/Paris');
  const api = () => supertest(t.app);
  const gateway = smsGateway();
  const texts = gateway.texts;
  after(() => gateway.close());

  before(async () => {
    t = await startTestApp();
    const now = new Date();
    const code = uniq('P').toUpperCase().slice(0, 10);
    const [id] = await t.knex('core_companies').insert({ code, name: `Pages ${code}`, currency: 'EUR', timezone: 'Europe/Paris', created_at: now, updated_at: now });
    companyId = Number(id);
    const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [companyId] });
    ctx = await t.contextFor(admin.id, companyId);
    adminToken = await t.token(admin.email);
    const endpoint = await gateway.start();
    const channel = await api().post('/api/v1/messaging/channels').set(bearer(adminToken)).send({ channel: 'sms', endpoint, secret: 'gw-token', sender: 'CARDS' });
    expect(channel.status, JSON.stringify(channel.body)).to.equal(201);
    const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: 'Counter' });
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(adminToken)).send({ name: uniq('Stamp '), type: 'stamp', rules: { stamp_step: null, milestones: [{ stamps: 8, reward: 'Tea' }], life: { kind: 'unlimited' } } });
    templateId = tpl.body.id;
    for (const first of ['Ann', 'Ben']) {
      const c = await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: first, last_name: uniq('Page'), phone: `06${digits(8)}`, shop_id: shop.id });
      holders.push(c.id);
      expect((await api().post('/api/v1/loyalty/cards').set(bearer(adminToken)).send({ template_id: templateId, customer_id: c.id })).status).to.equal(201);
    }
    sender = await t.createUser({ permissions: ['loyalty.campaign.send'], companyIds: [companyId] });
  });

  it('lists campaigns with a link to the form only for who may send, and refuses the pages to others', async () => {
    const agent = await t.login(sender.email, sender.password);
    const list = await agent.get('/loyalty/card-campaigns');
    expect(list.status).to.equal(200);
    expect(list.text).to.contain('href="/loyalty/card-campaigns/new"');
    const reader = await t.createUser({ permissions: ['loyalty.card.read', 'loyalty.card.all_shops'], companyIds: [companyId] });
    const other = await t.login(reader.email, reader.password);
    expect((await other.get('/loyalty/card-campaigns')).status).to.equal(403);
    expect((await other.get('/loyalty/card-campaigns/new')).status).to.equal(403);
    // The automations' list is open to readers; its form only to who manages templates.
    const autos = await other.get('/loyalty/card-automations');
    expect(autos.status).to.equal(200);
    expect(autos.text).to.not.contain('href="/loyalty/card-automations/new"');
  });

  it('refuses bad input with 422 naming the field, and keeps what was typed', async () => {
    const agent = await t.login(sender.email, sender.password);
    const csrf = csrfFrom((await agent.get('/loyalty/card-campaigns/new')).text);
    const cases: Array<[Record<string, string>, string]> = [
      [{ audience: 'all', message: '' }, 'message'],
      [{ audience: 'everyone', message: 'Hi' }, 'audience'],
      [{ audience: 'group', message: 'Hi' }, 'group_id'],
      [{ audience: 'customer', customer_id: 'abc', message: 'Hi' }, 'customer_id'],
      [{ audience: 'all', message: 'Hi', send_at: 'tomorrow' }, 'send_at'],
    ];
    for (const [form, field] of cases) {
      const res = await agent.post('/loyalty/card-campaigns').type('form').send({ ...form, _csrf: csrf });
      expect(res.status, field).to.equal(422);
      expect(res.text, field).to.match(new RegExp(`id="field-${field}-error"`));
    }
  });

  it('sends a campaign from the form and shows its sent and delivered counts; a scheduled one waits', async () => {
    const agent = await t.login(sender.email, sender.password);
    const csrf = csrfFrom((await agent.get('/loyalty/card-campaigns/new')).text);
    const before = texts.length;
    const sent = await agent.post('/loyalty/card-campaigns').type('form').send({ audience: 'all', template_id: String(templateId), message: 'Double stamps today', _csrf: csrf });
    expect(sent.status).to.equal(302);
    const path = sent.headers.location as string;
    expect(path).to.match(/^\/loyalty\/card-campaigns\/\d+$/);
    await t.drainJobs();
    await t.drainJobs();
    expect(texts.slice(before).filter((x) => x.includes('Double stamps today'))).to.have.length(2);
    const page = await agent.get(path);
    expect(page.status).to.equal(200);
    expect(page.text).to.match(/data-test="sent">2</);
    const json = await api().get(`/api/v1/loyalty/card-campaigns/${path.split('/').pop()}`).set(bearer(adminToken));
    expect(json.body).to.include({ status: 'sent', sent: 2, skipped: 0, delivered: 2 });

    // A few seconds ahead, on the company's wall clock (the form's datetime-local takes seconds too).
    const at = Date.now() + 4000;
    const wall = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(at)).replace(' ', 'T');
    const later = await agent.post('/loyalty/card-campaigns').type('form').send({ audience: 'customer', customer_id: String(holders[0]), message: 'See you tomorrow', send_at: wall, _csrf: csrf });
    expect(later.status).to.equal(302);
    const waiting = await agent.get(later.headers.location as string);
    expect(waiting.text).to.contain('data-status="scheduled"');
    await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()) + 500));
    await t.drainJobs(20_000);
    expect((await agent.get(later.headers.location as string)).text).to.contain('data-status="sent"');
    const list = await agent.get('/loyalty/card-campaigns');
    expect((list.text.match(/data-test="campaign-row"/g) ?? []).length).to.equal(2);
  });

  it('configures an automation with its own texts in the form, and the run sends them', async () => {
    const manager = await t.createUser({ permissions: ['loyalty.template.manage', 'loyalty.card.all_shops'], companyIds: [companyId] });
    const agent = await t.login(manager.email, manager.password);
    const form = await agent.get('/loyalty/card-automations/new');
    expect(form.status).to.equal(200);
    for (const name of ['birthday', 'next_visit_days', 'feedback_days', 'active', 'birthday_message', 'next_visit_message', 'feedback_message']) expect(form.text).to.contain(`name="${name}"`);
    const csrf = csrfFrom(form.text);
    const bad = await agent.post('/loyalty/card-automations').type('form').send({ template_id: String(templateId), next_visit_days: '0', _csrf: csrf });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('id="field-next_visit_days-error"');
    const made = await agent.post('/loyalty/card-automations').type('form').send({ template_id: String(templateId), next_visit_days: '5', next_visit_message: 'Your coffee misses you', active: '1', _csrf: csrf });
    expect(made.status, made.text.slice(0, 300)).to.equal(302);
    await t.knex('loyalty_cards').where({ customer_id: holders[1] }).update({ last_visit_day: addCalendarDays(today, -5), visits: 1 });
    const before = texts.length;
    expect(await runAutomations(t.container, ctx, today)).to.include({ next_visit: 1 });
    await t.drainJobs();
    expect(texts.slice(before).join('\n')).to.contain('Your coffee misses you');
  });
});
