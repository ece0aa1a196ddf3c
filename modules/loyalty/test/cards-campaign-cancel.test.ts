import { expect } from 'chai';
import supertest from 'supertest';
import { CORE, type RequestContext } from 'tessera/core';
import { csrfFrom, type TestApp } from 'tessera/testing';
import { CRM, type CustomerService } from '../../crm/api';
import { cancelCampaign, sendCampaign } from '../cards/reach/campaigns';
import { companyWorld } from './company-fixtures';
import { bearer, digits, smsGateway, uniq } from './test-helpers';


/**
 * A scheduled campaign can be cancelled before it runs: its job, even queued already, then sends nothing.
 * One already sending or sent cannot be (409 naming the status); a second cancel answers the same.
 */
describe('loyalty cards: cancelling a campaign @integration', function () {
  this.timeout(Math.max(this.timeout(), 120_000));
  let t: TestApp;
  let companyId: number;
  let admin: string;
  let sender: { email: string; password: string; token: string };
  let system: RequestContext;
  const gateway = smsGateway();
  const texts = gateway.texts;
  const api = () => supertest(t.app);
  const schedule = async (message: string, inMs = 3_600_000) => {
    const res = await api().post('/api/v1/loyalty/card-campaigns').set(bearer(sender.token)).send({ audience: 'all', message, send_at: new Date(Date.now() + inMs).toISOString() });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body.status).to.equal('scheduled');
    return Number(res.body.id);
  };
  const status = async (id: number) => (await t.knex('loyalty_card_campaigns').where({ id }).first('status')).status;
  after(() => gateway.close());

  before(async () => {
    const w = await companyWorld({ timezone: 'Europe/Paris' });
    t = w.t;
    companyId = w.companyId;
    admin = await t.token(w.admin.email);
    system = await t.container.get<{ systemInCompany(id: number): Promise<RequestContext> }>(CORE.Contexts).systemInCompany(companyId);
    const endpoint = await gateway.start();
    const channel = await api().post('/api/v1/messaging/channels').set(bearer(admin)).send({ channel: 'sms', endpoint, secret: 'gw-token', sender: 'CARDS' });
    expect(channel.status, JSON.stringify(channel.body)).to.equal(201);
    const tpl = await api().post('/api/v1/loyalty/card-templates').set(bearer(admin)).send({ name: uniq('Stamp '), type: 'stamp', rules: { stamp_step: null, milestones: [{ stamps: 8, reward: 'Tea' }], life: { kind: 'unlimited' } } });
    const customer = await t.container.get<CustomerService>(CRM.Customers).create(w.ctx, { first_name: 'Cleo', last_name: uniq('Cancel'), phone: `06${digits(8)}`, shop_id: w.shopId });
    expect((await api().post('/api/v1/loyalty/cards').set(bearer(admin)).send({ template_id: tpl.body.id, customer_id: customer.id })).status).to.equal(201);
    const user = await t.createUser({ permissions: ['loyalty.campaign.send'], companyIds: [companyId] });
    sender = { ...user, token: await t.token(user.email) };
  });

  it('cancels a scheduled campaign; its job, already queued, sends nothing when it comes; a second cancel answers the same', async () => {
    const id = await schedule('Cancelled before it runs', 3000);
    const cancelled = await api().post(`/api/v1/loyalty/card-campaigns/${id}/cancel`).set(bearer(sender.token));
    expect(cancelled.status, JSON.stringify(cancelled.body)).to.equal(200);
    expect(cancelled.body).to.include({ id, status: 'cancelled', sent: 0 });
    expect(cancelled.body.cancelled_at).to.be.a('string');
    const again = await api().post(`/api/v1/loyalty/card-campaigns/${id}/cancel`).set(bearer(sender.token));
    expect(again.status).to.equal(200);
    expect(again.body).to.deep.equal(cancelled.body);
    // The delayed job comes due: completed unrun, or run and finding the campaign cancelled (a worker had
    // it already, called here directly): nothing goes out, the campaign stays cancelled.
    await new Promise((r) => setTimeout(r, 3500));
    await t.drainJobs(20_000);
    expect(texts.filter((x) => x.includes('Cancelled before it runs'))).to.deep.equal([]);
    expect(await status(id)).to.equal('cancelled');
    expect(await sendCampaign(system, id)).to.equal(0);
    const read = await api().get(`/api/v1/loyalty/card-campaigns/${id}`).set(bearer(sender.token));
    expect(read.body).to.include({ status: 'cancelled', sent: 0, delivered: 0 });
  });

  it('refuses to cancel a campaign sent or sending, 409 naming its status', async () => {
    const now = await api().post('/api/v1/loyalty/card-campaigns').set(bearer(sender.token)).send({ audience: 'all', message: 'Sent at once' });
    await t.drainJobs();
    expect(await status(now.body.id)).to.equal('sent');
    const sent = await api().post(`/api/v1/loyalty/card-campaigns/${now.body.id}/cancel`).set(bearer(sender.token));
    expect(sent.status).to.equal(409);
    expect(sent.body.error.message).to.contain('is sent');
    expect(sent.body.error.fields).to.deep.equal({ status: 'is sent' });
    // Due soon: its job comes and, finding it sending (a worker that died mid-way), finishes it.
    const id = await schedule('Being sent', 4000);
    await t.knex('loyalty_card_campaigns').where({ id }).update({ status: 'sending' });
    const sending = await api().post(`/api/v1/loyalty/card-campaigns/${id}/cancel`).set(bearer(sender.token));
    expect(sending.status).to.equal(409);
    expect(sending.body.error.fields).to.deep.equal({ status: 'is sending' });
    expect(await status(id)).to.equal('sending');
    const missing = await api().post('/api/v1/loyalty/card-campaigns/999999999/cancel').set(bearer(sender.token));
    expect(missing.status).to.equal(404);
  });

  it('a cancel and the job racing for one campaign: exactly one wins', async () => {
    for (let round = 0; round < 4; round++) {
      const id = await schedule(`Race ${round}`, 2000);
      const before = texts.length;
      const [cancel, job] = await Promise.allSettled([cancelCampaign(system, id), sendCampaign(system, id)]);
      expect(job.status).to.equal('fulfilled');
      const sentCount = (job as PromiseFulfilledResult<number>).value;
      if (cancel.status === 'fulfilled') {
        expect(sentCount, `round ${round}`).to.equal(0);
        expect(await status(id)).to.equal('cancelled');
      } else {
        expect((cancel.reason as { status: number }).status, `round ${round}`).to.equal(409);
        expect(sentCount).to.equal(1);
        expect(await status(id)).to.equal('sent');
      }
      await t.drainJobs();
      if (cancel.status === 'fulfilled') expect(texts.slice(before).filter((x) => x.includes(`Race ${round}`))).to.deep.equal([]);
    }
  });

  it('needs loyalty.campaign.send: the route is declared with it', async () => {
    const id = await schedule('Not yours to cancel');
    const reader = await t.createUser({ permissions: ['loyalty.card.read', 'loyalty.card.all_shops'], companyIds: [companyId] });
    const refused = await api().post(`/api/v1/loyalty/card-campaigns/${id}/cancel`).set(bearer(await t.token(reader.email)));
    expect(refused.status).to.equal(403);
    expect(await status(id)).to.equal('scheduled');
    expect((await api().post(`/api/v1/loyalty/card-campaigns/${id}/cancel`).set(bearer(admin))).status).to.equal(200);
    const spec = await api().get('/api/v1/openapi.json').set(bearer(admin));
    const op = spec.body.paths['/loyalty/card-campaigns/{id}/cancel']?.post ?? spec.body.paths['/api/v1/loyalty/card-campaigns/{id}/cancel']?.post;
    expect(op, Object.keys(spec.body.paths).filter((p) => p.includes('campaign')).join(', ')).to.not.equal(undefined);
    expect(JSON.stringify(op)).to.contain('loyalty.campaign.send');
  });

  it('the campaign page offers a confirmed cancel button while it is scheduled, and says why once sent', async () => {
    const id = await schedule('Cancelled from the page');
    const agent = await t.login(sender.email, sender.password);
    const page = await agent.get(`/loyalty/card-campaigns/${id}`);
    expect(page.text).to.contain('data-test="cancel-campaign"').and.contain(`action="/loyalty/card-campaigns/${id}/cancel"`).and.contain('data-confirm=');
    const done = await agent.post(`/loyalty/card-campaigns/${id}/cancel`).type('form').send({ _csrf: csrfFrom(page.text) });
    expect(done.status).to.equal(302);
    const after = await agent.get(`/loyalty/card-campaigns/${id}`);
    expect(after.text).to.contain('data-status="cancelled"').and.contain('cancelled: nothing will be sent').and.not.contain('data-test="cancel-campaign"');
    const sent = await api().post('/api/v1/loyalty/card-campaigns').set(bearer(sender.token)).send({ audience: 'all', message: 'Gone already' });
    await t.drainJobs();
    const sentPage = await agent.get(`/loyalty/card-campaigns/${sent.body.id}`);
    expect(sentPage.text).to.not.contain('data-test="cancel-campaign"');
    const late = await agent.post(`/loyalty/card-campaigns/${sent.body.id}/cancel`).type('form').send({ _csrf: csrfFrom(sentPage.text) });
    expect(late.status).to.equal(302);
    expect((await agent.get(`/loyalty/card-campaigns/${sent.body.id}`)).text).to.contain('is sent: only a scheduled campaign can be cancelled');
    const reader = await t.createUser({ permissions: ['loyalty.card.read'], companyIds: [companyId] });
    const other = await t.login(reader.email, reader.password);
    const otherPage = await other.get('/');
    expect((await other.post(`/loyalty/card-campaigns/${id}/cancel`).type('form').send({ _csrf: csrfFrom(otherPage.text) })).status).to.equal(403);
  });
});
