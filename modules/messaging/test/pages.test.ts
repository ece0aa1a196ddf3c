import { expect } from 'chai';
import type { TestAgent } from 'tessera/testing';
import { makeCustomer, messagingWorld, setSettings, userWith, type MessagingWorld } from './messaging-fixtures';
import { MESSAGING_PERMISSIONS as P } from '../api';

describe('messaging pages and API', () => {
  let w: MessagingWorld;
  let admin: TestAgent;
  let customerId: number;
  const day = '2031-09-10';

  before(async function () {
    this.timeout(120_000);
    w = await messagingWorld();
    customerId = (await makeCustomer(w)).id;
    admin = await w.t.login(w.admin.email, w.admin.password);
    await setSettings(w, { max_events_per_day: 2, max_events_per_representative: 0 });
  });

  const book = (agent: TestAgent, extra: Record<string, unknown> = {}) =>
    agent.post('/messaging/calendar/book', { customer_id: customerId, representative_id: w.reps[0].id, day, start: '10:00', end: '10:30', view: 'week', ...extra });

  it('books from the calendar until the day shows FULL, then asks for a confirmation', async () => {
    expect((await book(admin)).status).to.equal(302);
    expect((await book(admin)).status).to.equal(302);
    const week = await admin.get(`/messaging/calendar?view=week&date=${day}`).expect(200);
    expect(week.text).to.match(new RegExp(`data-day="${day}"[^>]*aria-label[^]*?FULL`));
    const refused = await book(admin);
    expect(refused.status).to.equal(409);
    expect(refused.text).to.contain('is FULL (2 of 2)').and.contain('name="confirm_overbook"');
    expect((await book(admin, { confirm_overbook: 'on' })).status).to.equal(302);
    const month = await admin.get(`/messaging/calendar?view=month&date=${day}`).expect(200);
    expect(month.text).to.contain('3/2').and.contain('FULL');
    const dayView = await admin.get(`/messaging/calendar?view=day&date=${day}`).expect(200);
    expect(dayView.text).to.contain('Alice Seller');
  });

  it('offers no overbooking to a user without the permission', async () => {
    const clerk = await userWith(w, [P.appointmentWrite, 'crm.customer.read']);
    const agent = await w.t.login(clerk.user.email, clerk.user.password);
    const res = await book(agent);
    expect(res.status).to.equal(409);
    expect(res.text).not.to.contain('name="confirm_overbook"');
    expect(res.text).to.contain('Only users allowed to overbook');
    expect((await book(agent, { confirm_overbook: 'on' })).status).to.equal(403);
  });

  it('answers the calendar API per day with count, max and full, and 422 naming a bad field', async () => {
    const res = await admin.api('get', `/api/v1/messaging/calendar?from=${day}&to=2031-09-11`).expect(200);
    expect(res.body.data).to.deep.equal([
      { day, count: 3, max: 2, full: true },
      { day: '2031-09-11', count: 0, max: 2, full: false },
    ]);
    const bad = await admin.api('get', '/api/v1/messaging/calendar?from=2031-09-10&to=2031-01-01').expect(422);
    expect(bad.body.error.fields).to.have.property('to');
  });

  it('books through the API, 409 on FULL unless confirm_overbook', async () => {
    const body = { customer_id: customerId, representative_id: w.reps[1].id, starts_at: `${day}T14:00:00Z`, ends_at: `${day}T15:00:00Z` };
    const full = await admin.api('post', '/api/v1/messaging/appointments', body).expect(409);
    expect(full.body.error.fields).to.have.property('confirm_overbook');
    const over = await admin.api('post', '/api/v1/messaging/appointments', { ...body, confirm_overbook: true }).expect(201);
    expect(over.body).to.include({ overbooked: true, day });
    const list = await admin.api('get', `/api/v1/messaging/appointments?customer_id=${customerId}`).expect(200);
    expect(list.body.data.length).to.equal(4);
  });

  it('takes a message through the API and lists it', async () => {
    const res = await admin.api('post', '/api/v1/messaging/messages', { customer_id: customerId, representative_id: w.reps[0].id, subject: 'Call back' }).expect(201);
    expect(res.body.number).to.be.a('number');
    const page = await admin.get('/messaging/messages').expect(200);
    expect(page.text).to.contain('Call back');
  });

  it('shows the customer\'s appointments and messages on the customer page', async () => {
    const page = await admin.get(`/crm/customers/${customerId}`).expect(200);
    expect(page.text).to.contain('Appointments and messages').and.contain('Call back');
  });

  it('shows a representative their reminders on the home page', async () => {
    const home = await admin.get('/').expect(200);
    expect(home.text).to.contain('Your reminders').and.contain('Call back');
  });

  it('lists deliveries and previews a template on its sample data', async () => {
    await admin.get('/messaging/deliveries').expect(200);
    const created = await admin.api('post', '/api/v1/messaging/templates', { event: 'messaging.birthday', channel: 'sms', body: 'Happy birthday {{customer.first_name}}!' }).expect(201);
    const page = await admin.get(`/messaging/templates/${created.body.id}`).expect(200);
    expect(page.text).to.contain('Happy birthday Ann!');
    const bad = await admin.api('post', '/api/v1/messaging/templates', { event: 'nobody.sends.this', channel: 'sms', body: 'x' }).expect(422);
    expect(bad.body.error.fields).to.have.property('event');
    const broken = await admin.api('post', '/api/v1/messaging/templates/preview', { event: 'messaging.birthday', channel: 'sms', body: '{{#if}}' }).expect(422);
    expect(broken.body.error.fields).to.have.property('body');
  });

  it('keeps the pages to those allowed: a user without messaging permissions gets 403', async () => {
    const nobody = await userWith(w, ['crm.customer.read']);
    const agent = await w.t.login(nobody.user.email, nobody.user.password);
    await agent.get('/messaging/calendar').expect(403);
    await agent.get('/messaging/deliveries').expect(403);
    const page = await agent.get(`/crm/customers/${customerId}`).expect(200);
    expect(page.text).not.to.contain('Appointments and messages');
  });

  it('documents its API in the OpenAPI document', async () => {
    const doc = await admin.api('get', '/api/v1/openapi.json');
    const paths = Object.keys(doc.body.paths ?? {});
    for (const p of ['/api/v1/messaging/messages', '/api/v1/messaging/appointments', '/api/v1/messaging/calendar', '/api/v1/messaging/representatives', '/api/v1/messaging/templates', '/api/v1/messaging/deliveries']) {
      expect(paths, p).to.include(p);
    }
  });
});
