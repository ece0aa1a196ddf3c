import { expect } from 'chai';
import { type MessagingWorld, makeCustomer, messagingWorld, runDelivery } from './messaging-fixtures';
import { startGateway, startSmtp } from './local-servers';
import { MESSAGING, type NotifyService } from '../api';

describe('messaging notifications: e-mail over SMTP, SMS through an HTTP gateway, as jobs', () => {
  let w: MessagingWorld;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  let notify: NotifyService;
  const deliver = (id: number) => runDelivery(w, { notification_id: id });
  const channels = () => w.t.container.get<any>(Symbol.for('messaging.channel'));
  const templates = () => w.t.container.get<any>(Symbol.for('messaging.template'));
  const row = (id: number) => w.t.knex('messaging_notifications').where({ id }).first();

  before(async function () {
    this.timeout(120_000);
    [smtp, gateway] = await Promise.all([startSmtp(), startGateway()]);
    w = await messagingWorld();
    notify = w.t.container.get<NotifyService>(MESSAGING.Notify);
    await channels().create(w.ctx, { channel: 'email', endpoint: '127.0.0.1', port: smtp.port, username: 'mailer', secret: 'smtp-secret', sender: 'shop@example.test' });
    await channels().create(w.ctx, { channel: 'sms', endpoint: gateway.url, secret: 'gw-token', sender: 'TESSERA' });
    await templates().create(w.ctx, { event: 'billing.payment.posted', channel: 'email', subject: 'Paid {{payment.amount}}', body: '<p>Thanks {{customer.first_name}}: {{payment.amount}} <img src="https://example.test/logo.png"></p>' });
    await templates().create(w.ctx, { event: 'billing.payment.posted', channel: 'sms', body: 'Thanks {{customer.first_name}} & co: {{payment.amount}}' });
  });
  after(async () => Promise.all([smtp.close(), gateway.close()]));

  it('sends an e-mail through a real SMTP server, escaping the variables, images allowed', async () => {
    const customer = await makeCustomer(w, { first_name: '<Ann>' });
    const [mail] = await notify.send(w.ctx.db, { template: 'billing.payment.posted', customerId: customer.id, channel: 'email', data: { payment: { amount: '12.50' } }, dedupeKey: 'pay-1' });
    expect(mail).to.include({ status: 'queued', created: true });
    expect(await deliver(mail.id)).to.deep.equal({ sent: true });
    const received = smtp.messages.find((m) => m.to.includes(customer.email!));
    expect(received?.raw).to.contain('Subject: Paid 12.50').and.contain('&lt;Ann&gt;').and.contain('example.test/logo.png');
    expect(await row(mail.id)).to.include({ status: 'sent' });
  });

  it('sends an SMS through the HTTP gateway with the token, as plain text', async () => {
    const customer = await makeCustomer(w, { first_name: 'Bo' });
    const [sms] = await notify.send(w.ctx.db, { template: 'billing.payment.posted', customerId: customer.id, channel: 'sms', data: { payment: { amount: '3.00' } }, dedupeKey: 'pay-2' });
    await deliver(sms.id);
    const request = gateway.requests.find((r) => r.body.to === customer.phone);
    expect(request?.authorization).to.equal('Bearer gw-token');
    expect(request?.body).to.include({ channel: 'sms', from: 'TESSERA', text: 'Thanks Bo & co: 3.00' });
  });

  it('sends once for one dedupe key, and a job run twice sends once', async () => {
    const customer = await makeCustomer(w);
    const ask = () => notify.send(w.ctx.db, { template: 'billing.payment.posted', customerId: customer.id, channel: 'sms', data: { payment: { amount: '1.00' } }, dedupeKey: 'pay-3' });
    const [first] = await ask();
    const [again] = await ask();
    expect(again).to.include({ id: first.id, created: false });
    // The queue's own worker may be running it too (bull): however many runs, one message.
    await Promise.all([deliver(first.id), deliver(first.id)]);
    await deliver(first.id);
    await w.t.drainJobs();
    expect(gateway.requests.filter((r) => r.body.to === customer.phone)).to.have.length(1);
  });

  it('sends nothing for a rolled-back transaction', async () => {
    const customer = await makeCustomer(w);
    let id = 0;
    await w.ctx.db
      .transaction(async (db) => {
        [{ id }] = await notify.send(db, { template: 'billing.payment.posted', customerId: customer.id, channel: 'sms', data: {}, dedupeKey: 'pay-rolled-back' });
        throw new Error('the payment failed');
      })
      .catch(() => undefined);
    expect(await row(id)).to.equal(undefined);
    expect(await w.t.knex('core_jobs').where({ job_key: `messaging.deliver:${id}` }).first()).to.equal(undefined);
  });

  it('goes through the queue: queued, then sent by the job', async () => {
    const customer = await makeCustomer(w);
    const records = await notify.send(w.ctx.db, { template: 'billing.payment.posted', customerId: customer.id, data: { payment: { amount: '9.99' } }, dedupeKey: 'pay-queue' });
    expect(records.map((r) => r.channel).sort()).to.deep.equal(['email', 'sms']);
    await w.t.drainJobs();
    for (const r of records) expect((await row(r.id)).status).to.equal('sent');
  });

  it('honours opt-out and says why a customer without a phone got nothing', async () => {
    const customer = await makeCustomer(w);
    const res = await (await w.t.login(w.admin.email, w.admin.password)).api('put', `/api/v1/messaging/consent/${customer.id}`, { sms: false });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.deep.equal({ email: true, sms: false, whatsapp: true });
    const [sms] = await notify.send(w.ctx.db, { template: 'billing.payment.posted', customerId: customer.id, channel: 'sms', data: {}, dedupeKey: 'pay-4' });
    expect(sms).to.include({ status: 'skipped', reason: 'not sent: opted out' });
    const silent = await makeCustomer(w, { phone: null });
    const [none] = await notify.send(w.ctx.db, { template: 'billing.payment.posted', customerId: silent.id, channel: 'sms', data: {}, dedupeKey: 'pay-5' });
    expect(none).to.include({ status: 'skipped', reason: 'not sent: no phone' });
  });

  it('retries a gateway failure, logs its answer, and fails for good on a refusal', async () => {
    const customer = await makeCustomer(w);
    // A queued notification no job holds: only this test's runs deliver it, so each outcome is known.
    const now = new Date();
    const [inserted] = await w.t.knex('messaging_notifications').insert({ company_id: w.companyId, event: 'billing.payment.posted', channel: 'sms', customer_id: customer.id, dedupe_key: 'manual-6', status: 'queued', recipient: customer.phone, body: 'retry me', attempts: 0, created_at: now, updated_at: now });
    const sms = { id: Number(inserted) };
    gateway.answer.status = 503;
    gateway.answer.body = 'busy, try later';
    try {
      await deliver(sms.id);
      expect.fail('a 503 should make the job retry');
    } catch (error) {
      expect((error as Error).message).to.contain('503');
    }
    expect(await row(sms.id)).to.include({ status: 'queued', last_error: '503 busy, try later' });
    gateway.answer.status = 400;
    gateway.answer.body = 'bad number';
    expect(await deliver(sms.id)).to.include({ sent: false });
    expect(await row(sms.id)).to.include({ status: 'failed' });
    const log = await w.t.knex('messaging_delivery_attempts').where({ notification_id: sms.id }).orderBy('id').pluck('outcome');
    expect(log).to.deep.equal(['retry', 'failed']);
    gateway.answer.status = 200;
    gateway.answer.body = '{"id":"gw-2"}';
  });

  it('never shows a channel secret back', async () => {
    const list = await channels().list(w.ctx);
    for (const c of list) expect(c).not.to.have.property('secret');
    const agent = await w.t.login(w.admin.email, w.admin.password);
    const res = await agent.api('get', '/api/v1/messaging/channels');
    expect(res.status).to.equal(200);
    expect(res.text).not.to.contain('gw-token').and.not.to.contain('smtp-secret');
  });
});
