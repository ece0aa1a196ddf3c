import { expect } from 'chai';
import supertest from 'supertest';
import { addCalendarDays, dayIn } from 'tessera/core';
import { csrfFrom, startTestApp, type TestApp } from 'tessera/testing';
import { CRM, type CustomerGroupService, type CustomerService } from '../../crm/api';
import { isBirthday, runAutomations } from '../cards/reach/automations';
import { sendCampaign } from '../cards/reach/campaigns';
import { bearer, digits, smsGateway, uniq } from './test-helpers';


describe('loyalty cards through messaging: automations, campaigns, card restore @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let companyId: number;
  let manager: string;
  let ctx: any;
  let companyCode: string;
  const today = dayIn(new Date(), 'Europe/Paris');

  const api = () => supertest(t.app);
  // An SMS gateway that takes everything: the company's one configured channel.
  const gateway = smsGateway();
  const texts = gateway.texts;
  after(() => gateway.close());

  before(async () => {
    t = await startTestApp();
    const now = new Date();
    const code = uniq('A').toUpperCase().slice(0, 10);
    const [id] = await t.knex('core_companies').insert({ code, name: `Automations ${code}`, currency: 'EUR', timezone: 'Europe/Paris', created_at: now, updated_at: now });
    companyId = Number(id);
    companyCode = code;
    const admin = await t.createUser({ permissions: t.kernel.catalog.all().map((p) => p.name), companyIds: [companyId] });
    ctx = await t.contextFor(admin.id, companyId);
    const endpoint = await gateway.start();
    const adminToken = await t.token(admin.email);
    const channel = await api().post('/api/v1/messaging/channels').set(bearer(adminToken)).send({ channel: 'sms', endpoint, secret: 'gw-token', sender: 'CARDS' });
    expect(channel.status, JSON.stringify(channel.body)).to.equal(201);
    manager = await t.token((await t.createUser({ permissions: ['loyalty.template.manage', 'loyalty.card.issue', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
  });

  it('keeps a 29 February birthday on the 28th in other years', () => {
    expect(isBirthday('2000-02-29', '2027-02-28')).to.equal(true);
    expect(isBirthday('2000-02-29', '2028-02-28')).to.equal(false);
    expect(isBirthday('2000-02-29', '2028-02-29')).to.equal(true);
    expect(isBirthday('1990-03-01', '2027-02-28')).to.equal(false);
    expect(isBirthday(null, '2027-02-28')).to.equal(false);
  });

  it('congratulates on the birthday once a year and reminds N days after the last visit once per visit', async () => {
    const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: 'Counter' });
    const customers = t.container.get<CustomerService>(CRM.Customers);
    const person = (first: string, birthdate: string | null) => customers.create(ctx, { first_name: first, last_name: uniq('Auto'), birthdate, phone: `06${digits(8)}`, email: `${uniq('a')}@example.com`, shop_id: shop.id });
    const born = `1990-${today.slice(5)}`.replace('-02-29', '-02-28');
    const ada = await person('Ada', today.slice(5) === '02-29' ? '1992-02-29' : born);
    const bob = await person('Bob', `1991-${addCalendarDays(today, 40).slice(5)}`.replace('-02-29', '-02-28'));
    const cyd = await person('Cyd', null);
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(manager)).send({ name: uniq('Stamp '), type: 'stamp', rules: { stamp_step: null, milestones: [{ stamps: 8, reward: 'Tea' }], life: { kind: 'unlimited' } } });
    expect(tpl.status).to.equal(201);
    const auto = await api().post('/api/v1/loyalty/card-automations').set(bearer(manager)).send({ template_id: tpl.body.id, birthday: true, next_visit_days: 7 });
    expect(auto.status, JSON.stringify(auto.body)).to.equal(201);
    const cards: Record<string, number> = {};
    for (const c of [ada, bob, cyd]) cards[c.first_name!] = (await api().post('/api/v1/loyalty/cards').set(bearer(manager)).send({ template_id: tpl.body.id, customer_id: c.id })).body.id;
    // Visits in the past (the scanner writes today's day; these days are what the run reads).
    await t.knex('loyalty_cards').where({ id: cards.Bob }).update({ last_visit_day: addCalendarDays(today, -7), visits: 1 });
    await t.knex('loyalty_cards').where({ id: cards.Cyd }).update({ last_visit_day: addCalendarDays(today, -6), visits: 1 });

    expect(await runAutomations(t.container, ctx, today)).to.deep.equal({ birthday: 1, next_visit: 1, feedback: 0 });
    expect(await runAutomations(t.container, ctx, today)).to.deep.equal({ birthday: 0, next_visit: 0, feedback: 0 });
    // The next day: Cyd's visit is 7 days old; Bob's is still in the catch-up window but was reminded.
    expect(await runAutomations(t.container, ctx, addCalendarDays(today, 1))).to.deep.equal({ birthday: 0, next_visit: 1, feedback: 0 });
    // Bob comes back; 7 days after that visit he is reminded again, once.
    await t.knex('loyalty_cards').where({ id: cards.Bob }).update({ last_visit_day: addCalendarDays(today, -1), visits: 2 });
    expect(await runAutomations(t.container, ctx, addCalendarDays(today, 6))).to.deep.equal({ birthday: 0, next_visit: 1, feedback: 0 });
    expect(await runAutomations(t.container, ctx, addCalendarDays(today, 6))).to.deep.equal({ birthday: 0, next_visit: 0, feedback: 0 });
    // A year later, Ada is congratulated again.
    const nextYear = `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`.replace('-02-29', '-02-28');
    expect((await runAutomations(t.container, ctx, nextYear)).birthday).to.equal(1);
  });

  it('sends a campaign to every card holder of a template, to a group\'s card holders, or to one customer, each once', async () => {
    const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: 'Campaigns' });
    const customers = t.container.get<CustomerService>(CRM.Customers);
    const make = (first: string) => customers.create(ctx, { first_name: first, last_name: uniq('Camp'), phone: `07${digits(8)}`, shop_id: shop.id });
    const [dan, eve, fay, gus] = [await make('Dan'), await make('Eve'), await make('Fay'), await make('Gus')];
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(manager)).send({ name: uniq('Camp '), type: 'stamp', rules: { stamp_step: null, milestones: [{ stamps: 8, reward: 'Tea' }], life: { kind: 'unlimited' } } });
    for (const c of [dan, eve, fay]) expect((await api().post('/api/v1/loyalty/cards').set(bearer(manager)).send({ template_id: tpl.body.id, customer_id: c.id })).status).to.equal(201);
    const sender = await t.token((await t.createUser({ permissions: ['loyalty.campaign.send'], companyIds: [companyId] })).email);
    const campaign = (body: object) => api().post('/api/v1/loyalty/card-campaigns').set(bearer(sender)).send(body);

    const all = await campaign({ audience: 'all', template_id: tpl.body.id, message: 'Double stamps this weekend' });
    expect(all.status, JSON.stringify(all.body)).to.equal(202);
    await t.drainJobs();
    expect((await api().get(`/api/v1/loyalty/card-campaigns/${all.body.id}`).set(bearer(sender))).body).to.include({ status: 'sent', sent: 3 });
    // The job run again (a worker died after sending) sends nobody twice.
    expect(await sendCampaign(await t.contextFor((await t.createUser({ permissions: ['loyalty.campaign.send'], companyIds: [companyId] })).id, companyId), all.body.id)).to.equal(0);

    const group = await t.container.get<CustomerGroupService>(CRM.CustomerGroups).create(ctx, { name: uniq('VIP '), type: 'customer', customer_ids: [eve.id, gus.id] });
    const segment = await campaign({ audience: 'group', group_id: group.id, message: 'VIP night' });
    expect(segment.status, JSON.stringify(segment.body)).to.equal(202);
    const one = await campaign({ audience: 'customer', customer_id: fay.id, message: 'Your reward is ready' });
    expect(one.status).to.equal(202);
    await t.drainJobs();
    // Gus is in the group but holds no card.
    expect((await api().get(`/api/v1/loyalty/card-campaigns/${segment.body.id}`).set(bearer(sender))).body).to.include({ sent: 1 });
    expect((await api().get(`/api/v1/loyalty/card-campaigns/${one.body.id}`).set(bearer(sender))).body).to.include({ sent: 1 });

    const noGroup = await campaign({ audience: 'group', message: 'x' });
    expect(noGroup.status).to.equal(422);
    expect(noGroup.body.error.fields).to.have.property('group_id');
    const noCard = await campaign({ audience: 'customer', customer_id: gus.id, message: 'x' });
    expect(noCard.status).to.equal(422);
    expect(noCard.body.error.fields).to.have.property('customer_id');
    expect((await api().post('/api/v1/loyalty/card-campaigns').set(bearer(manager)).send({ audience: 'all', message: 'x' })).status).to.equal(403);
  });

  it('gives a lost card back: a code by SMS to the holder\'s phone opens the card, and a wrong code does not', async () => {
    const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: 'Restore' });
    const national = `06${digits(8)}`;
    const holder = await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: 'Lost', last_name: uniq('Link'), phone: national, shop_id: shop.id });
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(manager)).send({ name: uniq('R '), type: 'multipass', rules: { uses: 5 } });
    const card = await api().post('/api/v1/loyalty/cards').set(bearer(manager)).send({ template_id: tpl.body.id, customer_id: holder.id });
    expect(card.status).to.equal(201);
    const secret = (await t.knex('loyalty_cards').where({ id: card.body.id }).first('secret')).secret;

    const agent = supertest.agent(t.app);
    const form = await agent.get(`/card-restore/${companyCode}`);
    expect(form.status).to.equal(200);
    const csrf = csrfFrom(form.text);
    // A phone without a card gets the same answer, and no code is sent.
    const before = texts.length;
    const stranger = await agent.post(`/card-restore/${companyCode}`).type('form').send({ phone: `06${digits(8)}`, _csrf: csrf });
    expect(stranger.status).to.equal(200);
    expect(stranger.text).to.contain('we sent it a code');
    const asked = await agent.post(`/card-restore/${companyCode}`).type('form').send({ phone: `+33 ${national.slice(1)}`, _csrf: csrf });
    expect(asked.status).to.equal(200);
    let code = '';
    const deadline = Date.now() + 15_000;
    while (!code && Date.now() < deadline) {
      await t.drainJobs();
      code = texts.slice(before).map((x) => /code is (\d+)/.exec(x)?.[1]).find(Boolean) ?? '';
      if (!code) await new Promise((r) => setTimeout(r, 200));
    }
    expect(code, 'the SMS with the code').to.match(/^\d+$/);
    expect(texts.slice(before).filter((x) => /code is/.test(x))).to.have.length(1);
    const wrong = String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0');
    const refused = await agent.post(`/card-restore/${companyCode}/code`).type('form').send({ phone: national, code: wrong, _csrf: csrf });
    expect(refused.status).to.equal(422);
    const opened = await agent.post(`/card-restore/${companyCode}/code`).type('form').send({ phone: national, code, _csrf: csrf });
    expect(opened.status).to.equal(302);
    expect(opened.headers.location).to.equal(`/w/${secret}`);
    // The code works once.
    expect((await agent.post(`/card-restore/${companyCode}/code`).type('form').send({ phone: national, code, _csrf: csrf })).status).to.equal(422);
    expect((await api().get('/card-restore/NOPE0000')).status).to.equal(404);
  });

  it('asks for feedback the day after a visit, once, and keeps the rating and comment on the customer', async () => {
    const shop = await t.container.get<any>(Symbol.for('base.ShopService')).create(ctx, { code: uniq('S').toUpperCase().slice(0, 8), name: 'Feedback' });
    const hal = await t.container.get<CustomerService>(CRM.Customers).create(ctx, { first_name: 'Hal', last_name: uniq('Rate'), phone: `06${digits(8)}`, shop_id: shop.id });
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(manager)).send({ name: uniq('F '), type: 'multipass', rules: { uses: 5 } });
    expect((await api().post('/api/v1/loyalty/card-automations').set(bearer(manager)).send({ template_id: tpl.body.id, feedback_days: 1 })).status).to.equal(201);
    const card = (await api().post('/api/v1/loyalty/cards').set(bearer(manager)).send({ template_id: tpl.body.id, customer_id: hal.id })).body;
    await t.knex('loyalty_cards').where({ id: card.id }).update({ last_visit_day: addCalendarDays(today, -1), visits: 1 });
    const run = async () => (await runAutomations(t.container, ctx, today)).feedback;
    expect(await run()).to.equal(1);
    expect(await run()).to.equal(0);
    const { token } = await t.knex('loyalty_card_feedback').where({ card_id: card.id }).first('token');
    const agent = supertest.agent(t.app);
    const page = await agent.get(`/feedback/${token}`);
    expect(page.status).to.equal(200);
    const csrf = csrfFrom(page.text);
    expect((await agent.post(`/feedback/${token}`).type('form').send({ rating: 6, comment: 'x', _csrf: csrf })).status).to.equal(422);
    const answered = await agent.post(`/feedback/${token}`).type('form').send({ rating: 4, comment: 'Quick and kind', _csrf: csrf });
    expect(answered.status).to.equal(200);
    expect(answered.text).to.contain('Thank you');
    expect((await agent.post(`/feedback/${token}`).type('form').send({ rating: 1, comment: 'changed my mind', _csrf: csrf })).status).to.equal(409);
    const reader = await t.token((await t.createUser({ permissions: ['loyalty.card.read', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
    const kept = await api().get(`/api/v1/loyalty/card-feedback?customer_id=${hal.id}`).set(bearer(reader));
    expect(kept.body.data).to.deep.equal([{ card_id: card.id, visit_day: addCalendarDays(today, -1), rating: 4, comment: 'Quick and kind' }]);
  });
});
