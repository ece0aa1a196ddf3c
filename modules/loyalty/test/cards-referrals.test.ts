import { expect } from 'chai';
import supertest from 'supertest';
import { csrfFrom, type TestApp } from 'tessera/testing';
import { companyWorld } from './company-fixtures';
import { CRM, type CustomerService } from '../../crm/api';
import { bearer, digits, uniq } from './test-helpers';


describe('loyalty card referrals @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let companyId: number;
  let manager: string;
  let scanner: string;
  let customers: CustomerService;
  let ctx: any;
  let shopId: number;
  const existingPhone = '6' + digits(8);

  const api = () => supertest(t.app);
  const cardOf = async (id: number) => (await api().get(`/api/v1/loyalty/cards/${id}`).set(bearer(manager))).body;
  const settle = async (done: () => Promise<boolean>, ms = 20_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      await t.drainJobs(ms);
      if (await done()) return;
      if (Date.now() > deadline) throw new Error('jobs did not settle');
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  /** A stamp template with a referral program, and a referrer's card of it with its link. */
  const program = async (settings: Record<string, unknown>) => {
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(manager)).send({ name: uniq('Stamp '), type: 'stamp', rules: { stamp_step: null, milestones: [{ stamps: 10, reward: 'Free cake' }], life: { kind: 'unlimited' } } });
    expect(tpl.status, JSON.stringify(tpl.body)).to.equal(201);
    const prog = await api().post('/api/v1/loyalty/referral-programs').set(bearer(manager)).send({ template_id: tpl.body.id, ...settings });
    expect(prog.status, JSON.stringify(prog.body)).to.equal(201);
    const referrer = await customers.create(ctx, { first_name: 'Ref', last_name: uniq('Errer'), shop_id: shopId });
    const card = await api().post('/api/v1/loyalty/cards').set(bearer(manager)).send({ template_id: tpl.body.id, customer_id: referrer.id });
    expect(card.status).to.equal(201);
    const link = await api().get(`/api/v1/loyalty/cards/${card.body.id}/referral-link`).set(bearer(manager));
    expect(link.status).to.equal(200);
    expect(link.body.path).to.match(/^\/r\/[A-Za-z0-9_-]{24}$/);
    const again = await api().get(`/api/v1/loyalty/cards/${card.body.id}/referral-link`).set(bearer(manager));
    expect(again.body.path).to.equal(link.body.path);
    return { cardId: card.body.id as number, path: link.body.path as string };
  };

  /** A stranger's browser: opens the link, signs up. */
  const signUp = async (path: string, name: string, phone: string) => {
    const agent = supertest.agent(t.app);
    const page = await agent.get(path);
    expect(page.status).to.equal(200);
    const res = await agent.post(path).type('form').send({ name, phone, _csrf: csrfFrom(page.text) });
    return { agent, res };
  };

  before(async () => {
    const w = await companyWorld({ name: 'Referrals', timezone: 'Europe/Paris', shopName: 'Counter' });
    t = w.t;
    companyId = w.companyId;
    const admin = w.admin;
    ctx = w.ctx;
    shopId = w.shopId;
    customers = t.container.get<CustomerService>(CRM.Customers);
    await customers.create(ctx, { first_name: 'Already', last_name: uniq('Here'), phone: `+33${existingPhone}`, shop_id: shopId });
    manager = await t.token((await t.createUser({ permissions: ['loyalty.template.manage', 'loyalty.card.issue', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
    scanner = await t.token((await t.createUser({ permissions: ['loyalty.card.scan', 'loyalty.card.all_shops'], companyIds: [companyId] })).email);
  });

  it('refuses a phone the company already knows, however it is written, and makes no customer', async () => {
    const { path } = await program({ reward_to: 'both', trigger: 'installed', referrer_reward: 2, referee_reward: 1 });
    const before = await t.knex('crm_customers').where({ company_id: companyId }).count({ n: '*' }).first();
    const national = `0${existingPhone}`.replace(/(\d\d)/g, '$1 ').trim();
    const { res } = await signUp(path, 'Nina Copy', national);
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('already a customer of ours');
    const after = await t.knex('crm_customers').where({ company_id: companyId }).count({ n: '*' }).first();
    expect(Number(after!.n)).to.equal(Number(before!.n));
    expect((await signUp(path, 'N', '0612')).res.status).to.equal(422);
  });

  it('signs up a new phone, and rewards both once the new card is installed, once', async () => {
    const { cardId, path } = await program({ reward_to: 'both', trigger: 'installed', referrer_reward: 2, referee_reward: 1 });
    const phone = `06${digits(8)}`;
    const { agent, res } = await signUp(path, 'Nina Newcomer', phone);
    expect(res.status, res.text.slice(0, 300)).to.equal(302);
    const webCard = String(res.headers.location);
    expect(webCard).to.match(/^\/w\/[A-Za-z0-9_-]{32}$/);
    const referral = await t.knex('loyalty_referrals').where({ company_id: companyId, referrer_card_id: cardId }).first();
    expect(referral.status).to.equal('pending');
    const newcomer = await customers.get(ctx, referral.referee_customer_id);
    expect(newcomer.phone).to.equal(`+33${phone.slice(1)}`);
    await t.drainJobs();
    expect((await cardOf(cardId)).stamps).to.equal(0);

    const page = await agent.get(webCard);
    const csrf = csrfFrom(page.text);
    expect((await agent.post(`${webCard}/installed`).set('x-csrf-token', csrf)).status).to.equal(204);
    expect((await agent.post(`${webCard}/installed`).set('x-csrf-token', csrf)).status).to.equal(204);
    await settle(async () => (await t.knex('loyalty_referrals').where({ id: referral.id }).first()).status === 'rewarded');
    expect((await cardOf(cardId)).stamps).to.equal(2);
    expect((await cardOf(referral.referee_card_id)).stamps).to.equal(1);
    // Another hand-over of every event of the company rewards nothing more.
    await t.knex('core_outbox').where({ company_id: companyId }).update({ dispatched_at: null });
    await t.drainJobs();
    expect((await cardOf(cardId)).stamps).to.equal(2);
    expect((await cardOf(referral.referee_card_id)).stamps).to.equal(1);
    // The new customer, now known, cannot be referred again.
    expect((await signUp(path, 'Nina Again', phone)).res.status).to.equal(422);
  });

  it('rewards only the referrer at the first visit when so configured; the gift is no visit', async () => {
    const { cardId, path } = await program({ reward_to: 'referrer', trigger: 'first_visit', referrer_reward: 3, referee_reward: 5 });
    const { res } = await signUp(path, 'Omar Visit', `07${digits(8)}`);
    expect(res.status).to.equal(302);
    const referral = await t.knex('loyalty_referrals').where({ company_id: companyId, referrer_card_id: cardId }).first();
    await t.drainJobs();
    expect((await cardOf(cardId)).stamps).to.equal(0);
    const visit = await api().post(`/api/v1/loyalty/cards/${referral.referee_card_id}/transactions`).set(bearer(scanner)).send({ key: uniq('v-'), action: 'stamp' });
    expect(visit.status, JSON.stringify(visit.body)).to.equal(201);
    await settle(async () => (await t.knex('loyalty_referrals').where({ id: referral.id }).first()).status === 'rewarded');
    expect((await cardOf(cardId)).stamps).to.equal(3);
    expect((await cardOf(referral.referee_card_id)).stamps).to.equal(1);
    await api().post(`/api/v1/loyalty/cards/${referral.referee_card_id}/transactions`).set(bearer(scanner)).send({ key: uniq('v-'), action: 'stamp' });
    await t.drainJobs();
    expect((await cardOf(cardId)).stamps).to.equal(3);
    const gifts = await t.knex('loyalty_card_transactions').where({ card_id: cardId, action: 'gift' });
    expect(gifts.map((g: any) => g.key)).to.deep.equal([`referral:${referral.id}:referrer`]);
  });

  it('lets one of two simultaneous sign-ups with one new phone through', async () => {
    const { cardId, path } = await program({ reward_to: 'both', trigger: 'installed', referrer_reward: 1, referee_reward: 1 });
    const phone = `06${digits(8)}`;
    const forms = await Promise.all([0, 1, 2, 3].map(async () => {
      const agent = supertest.agent(t.app);
      return { agent, csrf: csrfFrom((await agent.get(path)).text) };
    }));
    const answers = await Promise.all(forms.map(({ agent, csrf }, i) => agent.post(path).type('form').send({ name: `Twin ${i}`, phone, _csrf: csrf })));
    expect(answers.map((a) => a.status).sort()).to.deep.equal([302, 422, 422, 422]);
    expect(await t.knex('loyalty_referrals').where({ company_id: companyId, referrer_card_id: cardId }).count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(1);
  });

  it('answers 404 for a link that does not exist', async () => {
    expect((await api().get('/r/AAAAAAAAAAAAAAAAAAAAAAAA')).status).to.equal(404);
    expect((await api().get('/r/short')).status).to.equal(404);
  });
});
